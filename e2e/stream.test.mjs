// Streamed bodies: request and response bodies cross between workerd and Go in
// pieces, read and written on demand, so a body far larger than the isolate
// costs it bounded memory, a handler that ignores its body answers at once,
// and server-sent events reach the client while the handler still runs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker } from "./harness.mjs";

const MiB = 1 << 20;
const run = Date.now().toString(36);

// workerdPid is the newest workerd process this test process started
// (Miniflare spawns it as a direct child), as bench/run.mjs finds it.
const workerdPid = () => execFileSync("pgrep", ["-n", "-x", "-P", String(process.pid), "workerd"]).toString().trim();
const rssKiB = (pid) => Number(execFileSync("ps", ["-o", "rss=", "-p", pid]).toString());

// pattern returns bytes [from, from+n) of the endless stream whose byte i is
// i*7 mod 256, the one the Worker generates.
function pattern(from, n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((from + i) * 7) & 255;
  return b;
}

// patternStream is a request body of `size` pattern bytes, made a MiB at a
// time as the server reads it; the client never holds it whole either.
function patternStream(size, hash) {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = pattern(sent, Math.min(MiB, size - sent));
      hash?.update(chunk);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

// firstEvents reads an event stream and reports when each chunk arrived.
async function timedChunks(res, started) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push({ at: Date.now() - started, text: decoder.decode(value) });
  }
}

describe("streamed bodies", () => {
  let server;
  let pid;
  beforeAll(async () => {
    server = await startWorker({ config: "e2e/streamworker/wrangler.jsonc" });
    pid = workerdPid();
  });
  afterAll(() => server?.stop());

  test("a 100 MiB upload goes front → object → SQL in bounded memory", async () => {
    // Warm up: boot the runtime, make the object, grow Go's heap to its working size.
    const warm = await server.fetch(`/upload/${run}`, { method: "POST", body: patternStream(16 * MiB), duplex: "half" });
    expect(warm.status).toBe(200);
    await warm.text();
    const before = rssKiB(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 100);
    const hash = createHash("sha256");
    const started = Date.now();
    try {
      const res = await server.fetch(`/upload/${run}`, { method: "POST", body: patternStream(100 * MiB, hash), duplex: "half" });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const got = JSON.parse(text);
      expect(got).toMatchObject({ bytes: 100 * MiB, chunks: 100, sha256: hash.digest("hex"), contentLength: -1 });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssKiB(pid));
    const growthMiB = (peak - before) / 1024;
    console.log(`100 MiB upload: ${Date.now() - started} ms, workerd RSS ${(before / 1024).toFixed(0)} MiB → peak ${(peak / 1024).toFixed(0)} MiB (growth ${growthMiB.toFixed(1)} MiB)`);
    expect(growthMiB).toBeLessThan(32);
  });

  test("a body Go generates streams to an object through a stub", async () => {
    const res = await server.fetch(`/upload-go/${run}?mb=16`, { method: "POST" });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const want = createHash("sha256").update(pattern(0, 16 * MiB)).digest("hex");
    expect(JSON.parse(text)).toMatchObject({ bytes: 16 * MiB, chunks: 16, sha256: want });
  });

  test("a large response streams from an object through the front", async () => {
    const res = await server.fetch(`/download/${run}?mb=16`);
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(16 * MiB);
    expect(Buffer.compare(body, pattern(0, 16 * MiB))).toBe(0);
  });

  test("server-sent events arrive before the handler returns", async () => {
    for (const path of ["/sse?wait=2000", `/sse/${run}?wait=2000`]) {
      const started = Date.now();
      const res = await server.fetch(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      const chunks = await timedChunks(res, started);
      const text = chunks.map((c) => c.text).join("");
      expect(text).toMatch(/^data: one \d+\n\ndata: two \d+\n\n$/);
      console.log(`${path}: first event after ${chunks[0].at} ms, body ends after ${chunks.at(-1).at} ms`);
      expect(chunks[0].text).toMatch(/^data: one/);
      expect(chunks[0].at).toBeLessThan(1000);
      expect(chunks.at(-1).at).toBeGreaterThanOrEqual(1900);
    }
  });

  test("a handler that ignores a large body answers at once", async () => {
    for (const path of ["/ignore", `/ignore/${run}`]) {
      // The body sends 1 MiB and then nothing for 20 s: reading it would hang.
      let sent = 0;
      const body = new ReadableStream({
        async pull(controller) {
          if (sent === 0) {
            sent++;
            return controller.enqueue(pattern(0, MiB));
          }
          await new Promise((resolve) => setTimeout(resolve, 20_000));
          controller.close();
        },
      });
      const abort = new AbortController();
      const started = Date.now();
      const res = await server.fetch(path, { method: "POST", body, duplex: "half", signal: abort.signal });
      const text = await res.text();
      const took = Date.now() - started;
      abort.abort();
      expect(res.status, text).toBe(200);
      expect(text).toMatch(/^ignored/);
      expect(took).toBeLessThan(2000);
    }
  });

  test("a panic after the response began aborts the body", async () => {
    const res = await server.fetch("/panic");
    expect(res.status).toBe(200);
    let text = "";
    let failed = false;
    try {
      text = await res.text();
    } catch {
      failed = true;
    }
    expect(failed || !text.includes("two"), `body ${JSON.stringify(text)}`).toBe(true);
    // The Worker goes on serving. (The aborted response closed its connection;
    // the client may try to reuse it once before it sees that.)
    const after = await server.fetch("/sse?wait=0").catch(() => server.fetch("/sse?wait=0"));
    expect(await after.text()).toMatch(/data: two/);
  });
});
