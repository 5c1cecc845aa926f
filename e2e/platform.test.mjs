// The platform beyond Durable Objects, on workerd: outbound HTTP from the
// front handler and from an object (to a server this test starts on
// 127.0.0.1), with streamed bodies both ways, timeouts and the context rule;
// request.cf and the client's address.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker } from "./harness.mjs";

const MiB = 1 << 20;

// pattern returns bytes [from, from+n) of the stream whose byte i is i*7 mod
// 256, the one the Worker generates.
function pattern(from, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = ((from + i) * 7) & 255;
  return b;
}

// startOrigin is the server the Worker fetches from:
//   /hello       a small answer, with X-Server and the request's X-From echoed
//   /slow        answers after 3 s
//   /big?mb=N    N MiB of pattern bytes, of unknown length, written a MiB at a time
//   /echo        the request body's length and SHA-256 (any method)
//   /redirect    302 to /hello
async function startOrigin() {
  const seen = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    seen.push({ path: url.pathname, from: req.headers["x-from"] });
    res.setHeader("X-Server", "node-origin");
    switch (url.pathname) {
      case "/hello":
        res.end(`hello ${req.headers["x-from"]}`);
        return;
      case "/slow":
        setTimeout(() => res.end("late"), 3000);
        return;
      case "/big": {
        const mb = Number(url.searchParams.get("mb"));
        for (let i = 0; i < mb; i++) {
          if (!res.write(pattern(i * MiB, MiB))) await new Promise((r) => res.once("drain", r));
        }
        res.end();
        return;
      }
      case "/echo": {
        const hash = createHash("sha256");
        let bytes = 0;
        let chunks = 0;
        for await (const chunk of req) {
          hash.update(chunk);
          bytes += chunk.length;
          chunks++;
        }
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ bytes, chunks, sha256: hash.digest("hex"), transferEncoding: req.headers["transfer-encoding"] ?? null }));
        return;
      }
      case "/gzip": {
        const body = gzipSync(Buffer.from("hello ".repeat(1000)));
        res.writeHead(200, { "Content-Encoding": "gzip", "Content-Length": body.length }).end(body);
        return;
      }
      case "/redirect":
        res.writeHead(302, { Location: "/hello" }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, seen, stop: () => new Promise((r) => server.close(r)) };
}

describe("outbound HTTP", () => {
  let server;
  let origin;
  beforeAll(async () => {
    origin = await startOrigin();
    server = await startWorker({ config: "e2e/platformworker/wrangler.jsonc" });
  });
  afterAll(async () => {
    await server?.stop();
    await origin?.stop();
  });

  const out = async (path, params, init) => {
    const res = await server.fetch(`${path}?${new URLSearchParams(params)}`, init);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text);
  };

  for (const [where, path] of [
    ["the front handler", "/out"],
    ["an object", "/obj/ada/out"],
  ]) {
    test(`from ${where}: a small answer, headers both ways`, async () => {
      const got = await out(path, { url: `${origin.base}/hello` });
      expect(got).toMatchObject({ status: 200, server: "node-origin", bytes: "hello go".length, contentLength: 8, readError: "" });
      expect(got.sha256).toBe(createHash("sha256").update("hello go").digest("hex"));
    });

    test(`from ${where}: a 24 MiB answer streams in`, async () => {
      const got = await out(path, { url: `${origin.base}/big?mb=24` });
      expect(got).toMatchObject({ status: 200, bytes: 24 * MiB, contentLength: -1, readError: "" });
      expect(got.sha256).toBe(createHash("sha256").update(pattern(0, 24 * MiB)).digest("hex"));
    });

    test(`from ${where}: a 16 MiB body Go generates streams out`, async () => {
      const got = await out(path, { url: `${origin.base}/echo`, gobody: 16 * MiB }, { method: "POST" });
      expect(got).toMatchObject({ status: 200, readError: "" });
      // Of unknown length, it goes out chunked, in many pieces, and whole.
      const echo = JSON.parse(got.text);
      expect(echo).toMatchObject({ bytes: 16 * MiB, transferEncoding: "chunked", sha256: createHash("sha256").update(pattern(0, 16 * MiB)).digest("hex") });
      expect(echo.chunks).toBeGreaterThan(1);
    });

    test(`from ${where}: Client.Timeout ends a slow request`, async () => {
      const got = await out(path, { url: `${origin.base}/slow`, timeout: 300 });
      expect(got.deadline, got.error).toBe(true);
      expect(got.ms).toBeGreaterThanOrEqual(250);
      expect(got.ms).toBeLessThan(2500);
    });
  }

  test("a request body goes on to the origin as it streams", async () => {
    const body = pattern(0, 8 * MiB);
    const got = await out("/out", { url: `${origin.base}/echo` }, { method: "POST", body });
    expect(got.status).toBe(200);
    const echo = JSON.parse(got.text);
    expect(echo).toMatchObject({ bytes: 8 * MiB, sha256: createHash("sha256").update(body).digest("hex") });
  });

  test("a gzip answer arrives decoded, marked Uncompressed as Go's transport does", async () => {
    const got = await out("/out", { url: `${origin.base}/gzip` });
    expect(got).toMatchObject({ status: 200, bytes: 6000, encoding: "", uncompressed: true, contentLength: -1 });
    expect(got.text.startsWith("hello hello")).toBe(true);
  });

  test("http.Client follows a redirect itself", async () => {
    const got = await out("/out", { url: `${origin.base}/redirect` });
    expect(got).toMatchObject({ status: 200, bytes: "hello go".length });
    const paths = origin.seen.map((s) => s.path);
    expect(paths).toContain("/redirect");
  });

  test("plain http.Get has no event context: a clear error naming the fix", async () => {
    const got = await out("/out-plain", { url: `${origin.base}/hello` });
    expect(got.noEventContext).toBe(true);
    expect(got.error).toContain("http.NewRequestWithContext(r.Context()");
  });

  test("request.cf and the client's address reach Go", async () => {
    const res = await server.fetch("/cf");
    const got = await res.json();
    expect(got.cf).toBeTypeOf("object");
    expect(got.cf).not.toBeNull();
    expect(got.splitError).toBe("");
    expect(got.port).toBe("0");
    expect(got.host).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  });
});

describe("vars and secrets", () => {
  let server;
  beforeAll(async () => {
    server = await startWorker({ config: "e2e/platformworker/wrangler.jsonc" });
  });
  afterAll(() => server?.stop());

  test("JSON vars decode into Go types; secrets come from .dev.vars; misuse is a clear error", async () => {
    const res = await server.fetch("/vars");
    const got = await res.json();
    expect(got).toMatchObject({
      limits: { maxUsers: 50, regions: ["eu", "us"] },
      rate: 2.5,
      greeting: "hello",
      secret: "not so secret",
      errors: ["", "", ""],
      rateIsText: false,
    });
    expect(got.wrongType.is).toBe(true);
    expect(got.wrongType.error).toMatch(/var "LIMITS" \(under "vars" in wrangler.jsonc\) does not decode into \[\]string/);
    expect(got.missing.is).toBe(true);
    expect(got.missing.error).toContain('var "NOPE" is not set: add it to "vars" in wrangler.jsonc');
    expect(got.binding.is).toBe(true);
    expect(got.binding.error).toContain("binding, not a var");
  });
});

describe("handlers beyond fetch", () => {
  let server;
  beforeAll(async () => {
    server = await startWorker({ config: "e2e/platformworker/wrangler.jsonc" });
  });
  afterAll(() => server?.stop());

  const lines = async () => (await server.fetch("/obj/events/list")).json();

  test("a cron trigger runs Worker.Scheduled, which reaches an object through its ctx", async () => {
    const worker = await server.mf.getWorker();
    const result = await worker.scheduled({ cron: "*/5 * * * *", scheduledTime: new Date(1_700_000_000_000) });
    expect(result.outcome).toBe("ok");
    expect(await lines()).toContain("cron */5 * * * * at 1700000000000");
  });

  test("a panicking cron handler fails its event only; the Worker keeps serving", async () => {
    const worker = await server.mf.getWorker();
    const result = await worker.scheduled({ cron: "0 0 1 1 *" });
    expect(result.outcome).toBe("exception");
    const again = await worker.scheduled({ cron: "*/5 * * * *", scheduledTime: new Date(1_700_000_060_000) });
    expect(again.outcome).toBe("ok");
    expect((await server.fetch("/cf")).status).toBe(200);
  });

  const message = (id, body, attempts = 1) => ({ id, timestamp: new Date(1_700_000_000_000), body, attempts });

  test("Worker.Queue settles each message: explicit ack and retry, the rest acknowledged on success", async () => {
    const worker = await server.mf.getWorker();
    const result = await worker.queue("jobs", [
      message("m1", { n: 1, action: "ack" }),
      message("m2", { n: 2, action: "retry" }, 2),
      message("m3", { n: 3, action: "none" }),
    ]);
    expect(result.outcome).toBe("ok");
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([{ msgId: "m2", delaySeconds: 5 }]);
    expect(result.retryBatch.retry).toBe(false);
    expect(await lines()).toEqual(expect.arrayContaining(["jobs #1 ack attempt 1", "jobs #2 retry attempt 2", "jobs #3 none attempt 1"]));
  });

  test("a failing or panicking queue handler fails the batch; what it settled stays settled", async () => {
    const worker = await server.mf.getWorker();
    for (const action of ["fail", "panic"]) {
      const result = await worker.queue("jobs", [message(`a-${action}`, { n: 4, action: "ack" }), message(`b-${action}`, { n: 5, action })]);
      expect(result.outcome).toBe("exception");
      expect(result.explicitAcks).toEqual([`a-${action}`]);
    }
    expect((await server.fetch("/cf")).status).toBe(200);
  });

  test("a message body of bytes reaches Go as JSON base64", async () => {
    const worker = await server.mf.getWorker();
    const result = await worker.queue("jobs", [message("bytes", new Uint8Array([1, 2, 3]))]);
    // It does not decode into a job: the handler retries it.
    expect(result.outcome).toBe("ok");
    expect(result.retryMessages).toEqual([{ msgId: "bytes" }]);
  });
});

describe("bindings", () => {
  let server;
  beforeAll(async () => {
    server = await startWorker({ config: "e2e/platformworker/wrangler.jsonc" });
  });
  afterAll(() => server?.stop());

  // The Go test of the same Worker under durabletest (worker_test.go) holds
  // the same answer, so both runtimes agree.
  const goWant = (name) => {
    const src = readFileSync(new URL("./platformworker/worker_test.go", import.meta.url), "utf8");
    const m = src.match(new RegExp("const " + name + " = ((?:`[^`]*`\\s*\\+?\\s*)+)"));
    return JSON.parse([...m[1].matchAll(/`([^`]*)`/g)].map((x) => x[1]).join(""));
  };

  test("Workers KV: get, put with metadata, paged list, delete, limits and misuse", async () => {
    const res = await server.fetch(`/kv/${Date.now().toString(36)}`, { method: "POST" });
    expect(await res.json()).toEqual(goWant("kvWant"));
  });

  test("R2: streamed get and put, metadata, folders and pages, delete, limits and misuse", async () => {
    const res = await server.fetch(`/r2/${Date.now().toString(36)}`, { method: "POST" });
    expect(await res.json()).toEqual(goWant("r2Want"));
  });

  test("a service binding reaches a Worker's fetch handler through an http.Client", async () => {
    const res = await server.fetch("/service");
    expect(await res.json()).toEqual(goWant("serviceWant"));
  });

  test("a queue producer sends JSON that the Go consumer receives; bad messages are refused", async () => {
    const n = Date.now() % 1_000_000;
    const res = await server.fetch(`/send?n=${n}`, { method: "POST" });
    expect(await res.json()).toEqual(goWant("sendWant"));
    // Miniflare's queue delivers the batch after max_batch_timeout (1 s).
    const want = `jobs #${n} ack attempt 1`;
    const deadline = Date.now() + 15_000;
    let got = [];
    while (Date.now() < deadline && !got.includes(want)) {
      await new Promise((r) => setTimeout(r, 250));
      got = await (await server.fetch("/obj/events/list")).json();
    }
    expect(got).toContain(want);
  });

  test("D1: statements with arguments, typed values, SQL errors and misuse", async () => {
    const res = await server.fetch(`/d1/${Date.now().toString(36)}`, { method: "POST" });
    expect(await res.json()).toEqual(goWant("d1Want"));
  });

  test("D1 through database/sql: rows changed and last ids, typed rows, NULLs, BeginTx refused, SQL errors", async () => {
    const res = await server.fetch(`/d1sql/${Date.now().toString(36)}`, { method: "POST" });
    expect(await res.json()).toEqual(goWant("d1SQLWant"));
  });
});

// What a 500 tells the caller. A deployed Worker's bodies say what failed and
// never internal text (a constructor's error, a panic's value, a stack), which
// goes to the log; DURABLE_ERROR_DETAILS=on, as npm start sets it, shows it.
describe("error bodies", () => {
  const secret = "no such table: secrets";
  // What failed, where, the safe body, and the internal text only details show.
  const failures = [
    ["a constructor error", "/fragile/broken-1/ok", "Internal Server Error: the Durable Object could not be constructed; the Worker's log has the details\n", secret],
    ["an object's handler panic", "/fragile/fine-1/panic", "Internal Server Error: the handler panicked; the Worker's log has the details\n", secret],
    ["a status workerd refuses", "/fragile/fine-1/status700", "Internal Server Error: the handler answered an invalid status; the Worker's log has the details\n", "answered status 700"],
    ["a front handler panic", "/front-panic", "Internal Server Error: the handler panicked; the Worker's log has the details\n", secret],
  ];
  let safe;
  let detailed;
  beforeAll(async () => {
    [safe, detailed] = await Promise.all([
      startWorker({ config: "e2e/platformworker/wrangler.jsonc" }),
      startWorker({ config: "e2e/platformworker/wrangler.jsonc", bindings: { DURABLE_ERROR_DETAILS: "on" } }),
    ]);
  });
  afterAll(async () => {
    await safe?.stop();
    await detailed?.stop();
  });

  for (const [what, path, body, internal] of failures) {
    test(`${what}: by default a 500 that says what failed, without internal text`, async () => {
      const res = await safe.fetch(path);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe(body);
    });
    test(`${what}: with DURABLE_ERROR_DETAILS=on, the error itself`, async () => {
      const res = await detailed.fetch(path);
      expect(res.status).toBe(500);
      expect(await res.text()).toContain(internal);
    });
  }

  test("a runtime that exits: the caller is told so, and the next request is served", async () => {
    for (const [server, want] of [
      [safe, "Internal Server Error: the Go runtime exited while serving this request (the program called os.Exit(3)); the next request starts it again; the Worker's log has the details\n"],
      [detailed, "exited with code 3"],
    ]) {
      const res = await server.fetch("/front-exit");
      expect(res.status).toBe(500);
      expect(await res.text()).toContain(want);
      expect(await (await server.fetch("/fragile/fine-2/ok")).text()).toBe("ok");
    }
  });
});
