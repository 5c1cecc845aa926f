// Bad input on local workerd: malformed JSON, invalid IDs and names, strings
// that are not UTF-8, oversized bodies and headers. Each gets a 4xx that says
// what was wrong, nothing is written, and the same object serves a good
// request right after.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { startWorker } from "./harness.mjs";

let village, box;
beforeAll(async () => {
  [village, box] = await Promise.all([startWorker(), startWorker({ config: "e2e/badinputworker/wrangler.jsonc" })]);
});
afterAll(() => Promise.all([village?.stop(), box?.stop()]));

let counter = 0;
const unique = (base) => `${base}-${Date.now().toString(36)}-${counter++}`;

const post = (worker, path, body, headers = {}) => worker.fetch(path, { method: "POST", body, headers });

// A body as a stream, so that no Content-Length announces its size.
function streamOf(size, chunk = 16 * 1024) {
  let left = size;
  return new ReadableStream({
    pull(c) {
      if (left <= 0) return c.close();
      const n = Math.min(chunk, left);
      left -= n;
      c.enqueue(new Uint8Array(n).fill(97));
    },
  });
}

// postStreamed sends size bytes in chunks (no Content-Length) on a connection
// of its own, and resolves with the answer. workerd resets a connection whose
// streamed request body a Worker left unread (plain JavaScript Workers too),
// so a refusal must not leave a dead connection in fetch's shared pool.
function postStreamed(url, size) {
  return new Promise((resolve, reject) => {
    let answer;
    const req = http.request(url, { method: "POST", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        answer = { status: res.statusCode, body };
        resolve(answer);
      });
    });
    req.on("error", (err) => answer || reject(err));
    const chunk = Buffer.alloc(16 * 1024, 97);
    let left = size;
    (async function write() {
      while (left > 0 && !req.destroyed) {
        const n = Math.min(chunk.length, left);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) await drainOrClose(req);
      }
      if (!req.destroyed) req.end();
    })();
  });
}

function drainOrClose(req) {
  return new Promise((resolve) => {
    const done = () => {
      req.off("drain", done).off("close", done);
      resolve();
    };
    req.on("drain", done).on("close", done);
  });
}

describe("the village's clock: malformed reminders", () => {
  const shape = '{"text": "…", "in_seconds": 5}';
  test.each([
    ["an empty body", "", "the body is empty"],
    ["text that is not JSON", "remind me", "the body is not valid JSON: invalid character"],
    ["JSON cut short", '{"text": "tea", "in_seconds": 5', "the body is cut short"],
    ["a missing comma", '{"text": "tea" "in_seconds": 5}', "the body is not valid JSON"],
    ["a number for text", '{"text": 5, "in_seconds": 5}', "text must be a string, not a JSON number"],
    ["a string for in_seconds", '{"text": "tea", "in_seconds": "5"}', "in_seconds must be a number, not a JSON string"],
    ["an array", "[1, 2]", "the body must be a JSON object, not a JSON array"],
    ["an unknown field", '{"txt": "tea", "in_seconds": 5}', 'unknown field "txt"'],
    ["two objects", '{"text": "a", "in_seconds": 5}{"text": "b", "in_seconds": 5}', "more than one JSON value"],
    ["trailing text", '{"text": "a", "in_seconds": 5} and more', "more than one JSON value"],
    ["invalid UTF-8", Buffer.from('{"text": "a\xffb", "in_seconds": 5}', "latin1"), "the body is not valid UTF-8"],
  ])("%s is a 400 that says so, and keeps nothing", async (_, body, says) => {
    const name = unique("clock");
    const res = await post(village, `/clock/${name}`, body, { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const { error } = await res.json();
    expect(error).toContain(says);
    expect(error).toContain(shape);
    expect(await reminders(name)).toEqual([]);
    await expectClockWorks(name);
  });

  test("a body over 4 KiB, with its Content-Length, is a 413 that says the limit", async () => {
    const name = unique("clock");
    const res = await post(village, `/clock/${name}`, Buffer.alloc(8 * 1024 * 1024, 97));
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/over 4096 bytes/);
    expect(await reminders(name)).toEqual([]);
    await expectClockWorks(name);
  });

  test("a body over 4 KiB, streamed without a length, is a 413 that says the limit", async () => {
    const name = unique("clock");
    const res = await postStreamed(new URL(`/clock/${name}`, village.url), 1024 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatch(/over 4096 bytes/);
    expect(await reminders(name)).toEqual([]);
    await expectClockWorks(name);
  });

  async function reminders(name) {
    const res = await village.fetch(`/clock/${name}`);
    expect(res.status).toBe(200);
    return (await res.json()).reminders;
  }

  async function expectClockWorks(name) {
    const res = await post(village, `/clock/${name}`, JSON.stringify({ text: "tea", in_seconds: 3600 }));
    expect(res.status).toBe(201);
    await res.arrayBuffer();
    expect((await reminders(name)).map((r) => r.text)).toEqual(["tea"]);
  }
});

describe("the village: bad names and queries", () => {
  test.each([
    ["a lone 0xFF byte", "/hey/a%FFb"],
    ["a cut-short UTF-8 sequence", "/hey/x%E2%82"],
    ["an overlong encoding of '/'", "/hey/%C0%AF"],
    ["a lone surrogate (CESU-8)", "/hey/%ED%A0%80"],
  ])("a name with %s is a 400 that says it must be UTF-8", async (_, path) => {
    const res = await village.fetch(path);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^Bad name: name must be valid UTF-8\n/);
  });

  test("the square's page and socket refuse a name that is not UTF-8", async () => {
    const page = await village.fetch("/square/a%FFb");
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("valid UTF-8");
    const url = new URL(`/square/${unique("room")}/ws?name=a%FFb`, village.url);
    url.protocol = "ws:";
    const socket = new WebSocket(url);
    const refusal = await new Promise((resolve, reject) => {
      socket.on("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      });
      socket.on("open", () => reject(new Error("the socket opened")));
      socket.on("error", () => {});
    });
    expect(refusal.status).toBe(400);
    expect(refusal.body).toContain("valid UTF-8");
  });

  test("the square's socket answers malformed messages with an error event, keeps none, and chats on", async () => {
    const room = unique("room");
    const ada = await join(room, "Ada");
    expect((await ada.next("history")).messages ?? []).toEqual([]);
    for (const [bad, binary] of [["not json", false], ['{"text": 5}', false], ['{"text": "hi"}', true], ['{"text": "   "}', false]]) {
      ada.socket.send(bad, { binary });
      expect((await ada.next("error")).error).toMatch(/JSON text|1 to 500 characters/);
    }
    ada.socket.send(JSON.stringify({ text: "hello" }));
    expect((await ada.next("message")).message).toMatchObject({ who: "Ada", text: "hello" });
    const bob = await join(room, "Bob");
    expect(((await bob.next("history")).messages ?? []).map((m) => m.text)).toEqual(["hello"]);
    ada.socket.close();
    bob.socket.close();
  });

  // join opens a socket on the square; next(type) waits for its next event of that type.
  async function join(room, name) {
    const url = new URL(`/square/${room}/ws?name=${name}`, village.url);
    url.protocol = "ws:";
    const socket = new WebSocket(url);
    const events = [];
    let wake;
    socket.on("message", (data) => {
      events.push(JSON.parse(String(data)));
      wake?.();
    });
    await new Promise((resolve, reject) => socket.on("open", resolve).on("error", reject));
    const next = async (type) => {
      for (;;) {
        const i = events.findIndex((e) => e.type === type);
        if (i >= 0) return events.splice(i, 1)[0];
        await new Promise((resolve) => (wake = resolve));
      }
    };
    return { socket, next };
  }

  test.each(["-1", "101", "1e2", "5x", "0x10", " 5"])("census?top=%s is a 400 with the range", async (top) => {
    const res = await village.fetch(`/census?top=${encodeURIComponent(top)}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("top must be a number from 0 to 100");
  });

  test("after the bad requests, the same names and the census serve", async () => {
    const name = unique("after");
    expect((await village.fetch(`/hey/${name}`)).status).toBe(200);
    expect((await village.fetch("/census?top=3")).status).toBe(200);
    const dots = await village.fetch("/hey/...");
    expect(dots.status).toBe(200); // three dots are a name; . and .. are not
    expect(await dots.text()).toMatch(/^Hey: \.\.\.\n/);
  });
});

describe("object IDs", () => {
  let good, other;
  beforeAll(async () => {
    good = await (await box.fetch("/name/BOX?n=ids")).text();
    other = await (await box.fetch("/name/OTHER?n=ids")).text();
  });

  // The same rule as durabletest's (durabletest/id_fuzz_test.go): 64 hex
  // digits of either case, then this namespace's signature.
  const syntax = "Invalid Durable Object ID: must be 64 hex digits";
  const signature = "Durable Object ID is not valid for this namespace.";
  test.each([
    ["empty", () => "", syntax],
    ["63 digits", () => good.slice(1), syntax],
    ["65 digits", () => good + "0", syntax],
    ["a non-hex letter", () => "g" + good.slice(1), syntax],
    ["a 0x prefix", () => "0x" + good.slice(2), syntax],
    ["a space", () => " " + good.slice(1), syntax],
    ["a full-width digit (64 bytes)", () => good.slice(0, 61) + "０", syntax],
    ["bytes that are not UTF-8", () => good.slice(0, 62) + "%FF%FE", syntax],
    ["a flipped digit", () => (good[0] === "0" ? "1" : "0") + good.slice(1), signature],
    ["an ID of another namespace", () => other, signature],
  ])("%s is a 400 with ErrInvalidID and workerd's reason", async (_, id, reason) => {
    const s = id();
    const res = await box.fetch(`/id/BOX?s=${s.includes("%") ? s : encodeURIComponent(s)}`);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("durable: invalid Durable Object ID");
    expect(text).toContain(reason);
  });

  test("a good ID, in either case, reaches its object after the bad ones", async () => {
    for (const s of [good, good.toUpperCase()]) {
      const res = await box.fetch(`/id/BOX?s=${s}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(good);
    }
  });
});

describe("strings that are not UTF-8 in KV keys and SQL", () => {
  const utf8Error = "durable: string is not valid UTF-8";

  test("a KV key is refused before anything is written, and does not alias its U+FFFD twin", async () => {
    const obj = `/BOX/${unique("kv")}`;
    for (const [method, body] of [["PUT", "v"], ["GET", undefined]]) {
      const res = await box.fetch(`${obj}/kv?key=a%FFb`, { method, body });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain(utf8Error);
      expect(text).toContain('the key "a\\xffb"');
    }
    expect(await (await box.fetch(`${obj}/keys`)).json()).toEqual([]);
    // The key JavaScript would have made of it is a key of its own.
    expect((await box.fetch(`${obj}/kv?key=a%EF%BF%BDb`, { method: "PUT", body: "twin" })).status).toBe(204);
    expect(await (await box.fetch(`${obj}/keys`)).json()).toEqual(["a\uFFFDb"]);
    expect((await box.fetch(`${obj}/kv?key=a%FFb`)).status).toBe(400);
    expect(await (await box.fetch(`${obj}/kv?key=a%EF%BF%BDb`)).text()).toBe("twin");
  });

  test("SQL text and string arguments are refused before they run", async () => {
    const obj = `/BOX/${unique("sql")}`;
    const sql = (query, ...args) =>
      post(box, `${obj}/sql?${args.map((a) => `arg=${a}`).join("&")}`, typeof query === "string" ? Buffer.from(query, "latin1") : query);
    expect((await sql("CREATE TABLE t (v TEXT)")).status).toBe(200);

    const text = await sql("INSERT INTO t VALUES ('a\xffb')");
    expect(text.status).toBe(400);
    expect(await text.text()).toContain(`${utf8Error}: the SQL text "INSERT INTO t VALUES ('a\\xffb')" is not valid UTF-8`);

    const arg = await sql("INSERT INTO t VALUES (?)", "a%FFb");
    expect(arg.status).toBe(400);
    expect(await arg.text()).toContain("SQL argument 1 is a string that is not valid UTF-8");

    const syntaxError = await sql("INSERT INTO t VALUS (1)");
    expect(syntaxError.status).toBe(400);
    expect(await syntaxError.text()).toMatch(/near "VALUS": syntax error/);

    const count = await sql("SELECT count(*) FROM t");
    expect(await count.json()).toEqual([[0]]);
    const ok = await sql("INSERT INTO t VALUES (?) RETURNING v", "a%C3%A9b");
    expect(await ok.json()).toEqual([["aéb"]]);
  });
});

describe("large bodies and headers", () => {
  test("a handler's body limit (http.MaxBytesReader) is a 413, announced or streamed", async () => {
    const obj = `/BOX/${unique("upload")}`;
    const announced = await post(box, `${obj}/upload?limit=${1024 * 1024}`, Buffer.alloc(2 * 1024 * 1024));
    expect(announced.status).toBe(413);
    expect(await announced.text()).toBe("the body is over 1048576 bytes\n");
    const streamed = await postStreamed(new URL(`${obj}/upload?limit=${1024 * 1024}`, box.url), 2 * 1024 * 1024);
    expect(streamed).toEqual({ status: 413, body: "the body is over 1048576 bytes\n" });
    const fits = await box.fetch(`${obj}/upload?limit=${1024 * 1024}`, { method: "POST", body: streamOf(1024 * 1024), duplex: "half" });
    expect(fits.status).toBe(200);
    expect((await fits.json()).bytes).toBe(1024 * 1024);
  });

  test("a 100 KiB header and 500 headers arrive whole", async () => {
    const obj = `/BOX/${unique("headers")}`;
    const big = await box.fetch(`${obj}/headers`, { headers: { "x-big": "a".repeat(100 * 1024) } });
    expect(big.status).toBe(200);
    expect((await big.json()).bytes).toBeGreaterThan(100 * 1024);

    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h-${i}`, `v${i}`]));
    const res = await box.fetch(`${obj}/headers`, { headers: many });
    expect(res.status).toBe(200);
    expect((await res.json()).count).toBeGreaterThanOrEqual(500);

    const hey = await village.fetch(`/hey/${unique("big-header")}`, { headers: { "x-big": "a".repeat(100 * 1024) } });
    expect(hey.status).toBe(200);
    await hey.arrayBuffer();
  });

  test("a 1 MiB header is workerd's 431, and the Worker serves on", async () => {
    const name = unique("huge-header");
    const res = await village.fetch(`/hey/${name}`, { headers: { "x-huge": "a".repeat(1024 * 1024) } });
    expect(res.status).toBe(431);
    expect(await res.text()).toMatch(/header too large/);
    const after = await village.fetch(`/hey/${name}`);
    expect(after.status).toBe(200);
    expect((await after.text()).split("\n")[1]).toBe("1"); // the refused request did not count
  });
});
