// RPC on workerd in all four directions: Go calls Go (from the front handler
// and from inside an object), a JavaScript Worker calls Go, Go calls a
// JavaScript object. The Go Worker is e2e/rpcworker, the JavaScript one
// e2e/rpcjs; both run in one workerd so that their bindings reach each other.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { root, startWorkers } from "./harness.mjs";

let server;
let jsWorker;

beforeAll(async () => {
  server = await startWorkers([
    { config: "e2e/rpcworker/wrangler.jsonc", name: "durable-rpc" },
    {
      name: "rpc-js",
      scriptPath: path.join(root, "e2e/rpcjs/worker.mjs"),
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["enhanced_error_serialization"],
      durableObjects: {
        JS: { className: "JsCounter" },
        GO: { className: "Counter", scriptName: "durable-rpc" },
      },
    },
  ]);
  jsWorker = await server.worker("rpc-js");
});

afterAll(async () => {
  await server?.stop();
});

describe("Go calls Go", () => {
  test("values of every row of the mapping, errors, cancellation, object to object", async () => {
    const res = await server.fetch(`/go-go/gg-${Date.now()}`);
    expect(res.status).toBe(200);
    expect((await res.json()).failed).toEqual([]);
  });
});

describe("Go calls JavaScript", () => {
  test("results, thrown errors with codes, values Go cannot receive", async () => {
    const res = await server.fetch("/go-js");
    expect(res.status).toBe(200);
    expect((await res.json()).failed).toEqual([]);
  });
});

describe("JavaScript calls Go", () => {
  let r;
  beforeAll(async () => {
    const res = await jsWorker(`/?name=js-${Date.now()}`);
    expect(res.status).toBe(200);
    r = await res.json();
  });

  test("methods return values, state persists", () => {
    expect(r.increment).toEqual({ value: 5 });
    expect(r.incrementAgain).toEqual({ value: 10 });
  });

  test("values come back as JavaScript sent them", () => {
    expect(r.echoValues).toEqual({
      value: [1, -2.5, 2 ** 53, "s", "", true, false, null, { Uint8Array: [1, 2, 255] }, { Date: "2025-11-30T08:00:00.123Z" }, [[]], { a: { b: [1] } }, { number: "Infinity" }],
    });
  });

  test("Go receives the documented types", () => {
    expect(r.describeInt).toEqual({ value: "int64 7" });
    expect(r.describeFloat).toEqual({ value: "float64 7.5" });
    expect(r.describeBytes).toEqual({ value: "[]uint8 [9]" });
    expect(r.describeDate).toEqual({ value: "time.Time 1970-01-01 00:00:00 +0000 UTC" });
  });

  test("structs by json names", () => {
    expect(r.echoRecord.value).toMatchObject({
      int: 1,
      text: "t",
      bytes: { Uint8Array: [3] },
      when: { Date: "1970-01-01T00:00:01.000Z" },
      list: ["a"],
      map: { k: 2 },
      ptr: { name: "p" },
      nilPtr: null,
      neg: 0,
    });
    expect(r.echoRecord.value).not.toHaveProperty("unknown");
    expect(r.echoRecord.value).not.toHaveProperty("omitted");
  });

  test("a returned error rejects with its message and code", () => {
    expect(r.tooBig.error).toMatchObject({ message: "increment by 5000: the step is too big", code: "too_big", remote: true });
  });

  test("bad calls reject clearly and the object keeps serving", () => {
    expect(r.unknown.error.message).toMatch(/nope/);
    expect(r.noArgument.error.message).toBe("Counter.increment takes 1 argument(s), got 0");
    expect(r.wrongType.error.message).toMatch(/argument 1 is a JavaScript string, which does not convert to Go's int/);
    expect(r.fraction.error.message).toMatch(/argument 1 is 1.5, which is not an integer/);
    expect(r.bigint.error.message).toMatch(/argument 1 is a bigint, which Go cannot receive/);
    expect(r.aMapArg.error.message).toMatch(/argument 1 is a Map/);
    expect(r.cyclic.error.message).toMatch(/argument 1.self is cyclic/);
    expect(r.panic.error.message).toBe("internal error in Counter.explode");
    expect(r.huge.error.message).toBe("internal error in Counter.huge: its result cannot be sent");
    expect(r.afterAll).toEqual({ value: 11 });
  });
});

describe("forwarding with Stub.ServeHTTP", () => {
  test("method, path, query, body, status and headers pass through", async () => {
    const res = await server.fetch("/fwd/fw/x?q=1", { method: "PUT", body: "payload" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-object")).toBe("fw");
    expect(await res.text()).toBe('PUT /fwd/fw/x?q=1 "payload"');
  });

  test("a streamed body arrives chunk by chunk", async () => {
    const res = await server.fetch("/fwd/fw/stream");
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: 0\n\n");
    // The handler has not returned: it waits for this release to go on.
    const release = await server.fetch("/fwd/fw/release");
    expect(await release.text()).toBe("released");
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("data: 1\n\ndata: 2\n\n");
  });

  test("a WebSocket's 101 is relayed: the client talks to the object", async () => {
    const url = new URL("/fwd/fw/ws", server.url);
    url.protocol = "ws:";
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    const reply = new Promise((resolve) => ws.once("message", (data) => resolve(data.toString())));
    ws.send("hi");
    expect(await reply).toBe("echo: hi");
    ws.close();
  });
});
