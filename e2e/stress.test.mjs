// One Go runtime serves every object and front request of an isolate. These
// tests load it with handlers that wake on Go timers, on channels fed by other
// objects' requests and on other objects' answers, and check that every call
// still reaches workerd in its own I/O context: no errors, no hangs, exact
// counts. With routing switched off, the same load must fail.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
// Miniflare's own HTTP client (a dependency of miniflare and wrangler).
import { Agent } from "undici";
import { startWorker } from "./harness.mjs";

const config = "e2e/stressworker/wrangler.jsonc";
const run = Date.now().toString(36);

// Local workerd's HTTP server closes a connection whose request it has not
// read in time: 15 seconds after accepting it, or 5 seconds after answering
// the previous request on a kept-alive connection, counted from the last time
// its event loop polled the OS. That loop polls only when it has nothing else
// to run, and reads at most 16 ready sockets per poll. On a 2-core machine
// running a dozen other builds, workerd gets a few percent of a core and polls
// about once a second, so 700 requests sent at once lose hundreds of
// connections before workerd reads them (a JavaScript Worker doing the same
// work loses some too), and a kept-alive connection now and then closes as
// the next request arrives. The client sees ECONNRESET or "other side closed",
// and workerd logs nothing. internal/bridge/doc.go ("Local workerd under
// heavy load") has the measurements.
//
// So the client keeps at most 64 connections (700 requests over 64 lost none
// in runs that lost 250 to 460 over 700 connections; over 128 they still lost
// some). Fewer connections than /wait requests cannot stall the load: each
// wait is sent right before the feed that fills its mailbox. And the client
// sends a request again, at most twice, when its connection closed before
// any answer came, as workerd closes one it has not read. The retries are
// counted and printed. A request that did reach the Worker and is sent again
// would count twice, which the exact counts below would show.
const pool = new Agent({ connections: 64 });
const RESETS = new Set(["ECONNRESET", "UND_ERR_SOCKET", "EPIPE"]);
let retries = 0;
afterAll(() => pool.close());

// get fetches a path and reports its status and text; a request that takes
// longer than timeoutMs counts as hung.
async function get(server, path, timeoutMs = 20_000) {
  const failed = (e) => {
    // fetch's own message ("fetch failed") hides the reason in its cause.
    const cause = e.cause ? ` (${e.cause.code ?? ""} ${e.cause.message ?? e.cause})` : "";
    return { path, status: 0, text: `no answer: ${e.message}${cause}` };
  };
  let res;
  for (let attempt = 0; !res; attempt++) {
    try {
      res = await server.fetch(path, { signal: AbortSignal.timeout(timeoutMs), dispatcher: pool });
    } catch (e) {
      if (attempt >= 2 || !RESETS.has(e.cause?.code)) return failed(e);
      retries++;
    }
  }
  try {
    return { path, status: res.status, text: await res.text() };
  } catch (e) {
    return failed(e);
  }
}

// load sends together (64 at a time) to `objects` Counters: `work` requests
// that sleep, count and ask the next Counter to count; one wait on a mailbox
// that another Counter's feed request fills; and `front` front requests that
// sleep before their stub fetch. It returns the failed requests and the wrong
// counts.
async function load(server, { objects, work, front, timeoutMs }) {
  const name = (i) => `${run}-${objects}-${i % objects}`;
  const requests = [];
  for (let i = 0; i < objects; i++) {
    for (let k = 0; k < work; k++) requests.push(`/c/${name(i)}/work?ms=${(i * 7 + k * 3) % 15}&peer=${name(i + 1)}`);
    requests.push(`/c/${name(i)}/wait?key=${name(i)}`);
    requests.push(`/c/${name(i + 7)}/feed?key=${name(i)}`);
    for (let k = 0; k < front; k++) requests.push(`/sleep-then/${name(i)}?ms=${(i + k * 5) % 20}`);
  }
  const results = await Promise.all(requests.map((p) => get(server, p, timeoutMs)));
  const failed = results.filter((r) => r.status !== 200);
  // Each Counter counts twice per work request, once for its predecessor's
  // work, once for its wait and its feed, and once per front request.
  const want = 3 * work + 2 + front;
  const counts = await Promise.all(Array.from({ length: objects }, (_, i) => get(server, `/c/${name(i)}/count`, timeoutMs)));
  const wrong = counts.filter((r) => r.status !== 200 || Number(r.text) !== want);
  return { requests: requests.length, failed, wrong, want };
}

describe("one Go runtime for the isolate", () => {
  let server;
  beforeAll(async () => {
    server = await startWorker({ config });
  });
  afterAll(() => server?.stop());

  test("30 front requests that sleep on a Go timer, then fetch a stub, all succeed", async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => get(server, `/sleep-then/${run}-probe-${i % 3}?ms=20`)));
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const counts = await Promise.all([0, 1, 2].map((i) => get(server, `/c/${run}-probe-${i}/count`)));
    expect(counts.map((r) => r.text)).toEqual(["10", "10", "10"]);
  });

  test("a front handler's stub fetch without the request's context is refused, saying how to fix it", async () => {
    const r = await get(server, `/background-stub/${run}-bg`);
    expect(r.status).toBe(500);
    expect(r.text).toContain("http.NewRequestWithContext(r.Context(), ...)");
    expect((await get(server, `/c/${run}-bg/count`)).text).toBe("0");
  });

  test("stress: 100 objects, timers, channels across objects, stubs, SQL: no errors, exact counts", async () => {
    const { requests, failed, wrong, want } = await load(server, { objects: 100, work: 3, front: 2, timeoutMs: 30_000 });
    console.log(`stress: ${requests} overlapping requests over 100 objects; ${failed.length} failed; every count ${want}: ${wrong.length === 0}; ${retries} sent again after a reset`);
    expect(failed.slice(0, 5)).toEqual([]);
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 180_000);

});

describe("leaks", () => {
  // A server of its own, so that what the tests above leave running does not
  // blur the census. The handlers do not sleep here: Go timers of several
  // objects due together are the known limit in internal/bridge/doc.go.
  test("5,000 requests over 200 objects leak no goroutine and no callback", async () => {
    const server = await startWorker({ config });
    try {
      const stats = async () => JSON.parse((await get(server, "/stats")).text);
      const names = Array.from({ length: 200 }, (_, i) => `${run}-leak-${i}`);
      const wave = async (n) => {
        let next = 0;
        const worker = async () => {
          while (next < n) {
            const i = next++;
            const r = await get(server, `/c/${names[i % names.length]}/work?ms=0&peer=${names[(i + 1) % names.length]}`);
            if (r.status !== 200) throw new Error(`${r.path}: ${r.status} ${r.text}`);
          }
        };
        await Promise.all(Array.from({ length: 32 }, worker));
      };
      await wave(names.length); // every object is live before the census
      const before = await stats();
      await wave(5_000);
      const after = await stats();
      console.log(`leaks: before ${JSON.stringify(before)}, after 5,000 requests ${JSON.stringify(after)}; ${retries} requests so far sent again after a reset`);
      expect(after.goroutines).toBe(before.goroutines);
      expect(after.funcs).toBe(before.funcs);
      // Objects workerd evicts meanwhile leave the registry.
      expect(after.objects).toBeLessThanOrEqual(before.objects);
    } finally {
      await server.stop();
    }
  }, 240_000);
});

describe("a runtime that dies", () => {
  test("fails every request in flight with a clear 500, then boots again with storage intact", async () => {
    const server = await startWorker({ config });
    try {
      const names = Array.from({ length: 5 }, (_, i) => `${run}-dies-${i}`);
      for (const name of names) expect((await get(server, `/c/${name}/incr`)).text).toBe("1");
      // Five objects wait on mailboxes nobody feeds, and a front request sleeps.
      const waiting = names.map((name) => get(server, `/c/${name}/wait?key=${name}-never`));
      const sleeping = get(server, `/sleep-then/${names[0]}?ms=3000`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const crash = await get(server, `/c/${run}-crasher/crash`);
      expect(crash.status).toBe(500);
      for (const r of [...(await Promise.all(waiting)), await sleeping]) {
        expect(r.status, r.path).toBe(500);
        expect(r.text, r.path).toMatch(/Go runtime exited/);
      }
      // A new runtime serves the next requests; every count is still in SQLite.
      for (const name of names) expect((await get(server, `/c/${name}/incr`)).text).toBe("2");
    } finally {
      await server.stop();
    }
  });
});

describe("without routing", () => {
  test("the same load fails: calls run in other objects' and requests' contexts", async () => {
    const server = await startWorker({ config, bindings: { DURABLE_UNSAFE_ROUTING: "off" } });
    try {
      const { requests, failed, wrong } = await load(server, { objects: 20, work: 2, front: 2, timeoutMs: 8_000 });
      console.log(`routing off: ${failed.length} of ${requests} requests failed, ${wrong.length} of 20 counts wrong`);
      expect(failed.length + wrong.length).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});
