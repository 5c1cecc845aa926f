// The fault matrix: every way a Go object can fail on workerd, and what each
// leaves behind. One row per fault: a panic in a fetch handler, in an alarm,
// in a WebSocket event and in an RPC method, which cost the failing call
// only; and a goroutine's panic, os.Exit and running out of memory, which end
// the Go runtime the whole isolate shares, so that the next event boots a new
// one. Every fault strikes inside a storage transaction that has written
// rows (e2e/faultworker's faultIn), while other objects have requests in
// flight. Each row checks:
//
//  1. the failing call gets a clear error (a 500 that says what failed and
//     holds no Go stack, a rejected RPC, an alarm retried);
//  2. the transaction in progress is rolled back: none of its rows is visible;
//  3. writes acknowledged before the fault are there after it;
//  4. the other objects serve their next request, and their requests in
//     flight succeed (or, when the runtime died, fail with a 500 that says so,
//     without writing);
//  5. nothing leaks: after a round of normal traffic, the census of the
//     runtime (goroutines, Go's JavaScript callbacks, contexts, objects, and
//     on the JavaScript side the values Go holds, contexts, pumps, timers,
//     parked WebSockets, cursors) is what it was before the fault. A runtime
//     that died is compared with the one before it, after the same traffic.
//
// The rows share one workerd, whose objects are never evicted, so that a
// census counts the same objects before and after. A row whose fault ends
// the runtime first ends the one before it (os.Exit on an object of its
// own), so that both runtimes it compares hold its objects only.
// e2e/stress.test.mjs loads the shared runtime; e2e/alarm,
// websocket and rpc test each feature's own failures in more detail.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import WebSocket from "ws";
import { startWorkers } from "./harness.mjs";

const run = Date.now().toString(36);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A JavaScript Worker that calls Box by RPC, as another Worker would, and
// answers what it got: { value } or { error: { isError, message } }.
const caller = `
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const box = env.BOX.getByName(q.get("name"));
    try {
      const args = JSON.parse(q.get("args"));
      const value = await box[q.get("method")](...args);
      return Response.json({ value: value ?? null });
    } catch (e) {
      return Response.json({ error: { isError: e instanceof Error, message: String(e.message) } });
    }
  },
};`;

// A Go stack in a body: "goroutine 7 [running]:" or "worker.go:123".
const goStack = /goroutine \d+|\.go:\d+/;

// Fault, one row of the matrix: how to strike (trigger, after the object
// acknowledged "ack" = "1"), what the failing call must get (failed), and
// whether the runtime dies.
const rows = [
  {
    fault: "a panic in a fetch handler",
    dies: false,
    async trigger(w, name, tag) {
      return w.post(`/o/${name}/fault?kind=panic&tag=${tag}`);
    },
    failed(r) {
      expect(r.status).toBe(500);
      expect(r.text).toBe("Internal Server Error: the handler panicked; the Worker's log has the details\n");
    },
  },
  {
    fault: "a panic in an alarm",
    dies: false,
    async trigger(w, name, tag) {
      const armed = await w.post(`/o/${name}/arm?kind=panic&tag=${tag}`);
      expect(armed.text).toBe("ok");
      // The first attempt panics; workerd retries about 2 s later, and the
      // retry records its retryCount.
      let retried;
      for (let i = 0; i < 100 && retried?.status !== 200; i++) {
        await sleep(100);
        retried = await w.get(`/o/${name}/get?k=alarm-retried`);
      }
      return retried;
    },
    failed(r, logs) {
      expect(r.status, r.text).toBe(200);
      expect(Number(r.text)).toBeGreaterThanOrEqual(1);
      expect(logs()).toMatch(/alarm attempt \(retry 0\) failed: alarm handler panicked: faultworker: a panic on purpose/);
    },
  },
  {
    fault: "a panic in a WebSocket event",
    dies: false,
    async trigger(w, name, tag) {
      const ws = await w.socket(name);
      try {
        expect(await ws.ask("put:ws-ack=2")).toBe("ok:ws-ack");
        ws.send(`fault:panic:${tag}`);
        // The socket stays open, and the same object answers its next message.
        const next = await ws.ask("get:ws-ack");
        return { next, open: ws.readyState === WebSocket.OPEN };
      } finally {
        ws.close();
      }
    },
    failed(r, logs) {
      expect(r).toEqual({ next: "value:2", open: true });
      expect(logs()).toMatch(/faultworker: a panic on purpose/);
    },
  },
  {
    fault: "a panic in an RPC method",
    dies: false,
    async trigger(w, name, tag) {
      return w.rpc(name, "fault", "panic", tag);
    },
    failed(r) {
      expect(r).toEqual({ error: { isError: true, message: "internal error in Box.fault" } });
    },
  },
  {
    fault: "a panic in a goroutine a handler started",
    dies: true,
    async trigger(w, name, tag) {
      return w.post(`/o/${name}/fault?kind=goroutine&tag=${tag}`);
    },
    failed(r) {
      expect(r.status).toBe(500);
      expect(r.text).toMatch(/^Internal Server Error: the Go runtime exited while serving this request \(a goroutine panicked and nothing recovered it\)/);
      expect(r.text).not.toMatch(goStack);
      expect(r.text).not.toMatch(/on purpose/); // the panic's value stays in the log
    },
  },
  {
    fault: "os.Exit in an RPC method",
    dies: true,
    async trigger(w, name, tag) {
      return w.rpc(name, "fault", "exit", tag);
    },
    failed(r) {
      expect(r.error?.isError, JSON.stringify(r)).toBe(true);
      expect(r.error.message).toMatch(/the Go runtime exited with code 3: the program called os\.Exit\(3\)/);
    },
  },
  {
    fault: "running out of memory (a handler allocates without bound)",
    dies: true,
    async trigger(w, name, tag) {
      // 64 MiB at a time, pages not touched: Go reaches wasm32's 4 GiB in
      // about a second. Touching every page (touch=1) ends the same way, in
      // tens of seconds.
      return w.post(`/o/${name}/fault?kind=oom&tag=${tag}&mb=64&touch=0`);
    },
    failed(r) {
      expect(r.status).toBe(500);
      expect(r.text).toMatch(/^Internal Server Error: the Go runtime exited while serving this request \(it ran out of memory/);
      expect(r.text).not.toMatch(goStack);
    },
  },
];

// serve starts the fault Worker and the RPC caller in one workerd, with
// helpers that never throw on a failed request (they report status 0).
async function serve() {
  const server = await startWorkers([
    { config: "e2e/faultworker/wrangler.jsonc", name: "durable-faults", preventEviction: true },
    {
      name: "faults-caller",
      script: caller,
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["enhanced_error_serialization"],
      durableObjects: { BOX: { className: "Box", scriptName: "durable-faults" } },
    },
  ]);
  const call = await server.worker("faults-caller");
  const req = async (p, init) => {
    try {
      const res = await server.fetch(p, { ...init, signal: AbortSignal.timeout(30_000) });
      return { path: p, status: res.status, text: await res.text() };
    } catch (e) {
      return { path: p, status: 0, text: `no answer: ${e.message}` };
    }
  };
  return {
    stop: () => server.stop(),
    get: (p) => req(p),
    post: (p) => req(p, { method: "POST" }),
    // stats reads the census twice and answers the second: the first may
    // still count the request before it, which workerd ends just after its
    // answer.
    async stats() {
      let r;
      for (let i = 0; i < 2; i++) r = await req("/stats");
      expect(r.status, r.text).toBe(200);
      return JSON.parse(r.text);
    },
    async rpc(name, method, ...args) {
      const q = new URLSearchParams({ name, method, args: JSON.stringify(args) });
      return (await call(`/?${q}`)).json();
    },
    async socket(name) {
      const url = new URL(`/o/${name}/ws`, server.url);
      url.protocol = "ws:";
      const ws = new WebSocket(url);
      const inbox = [];
      let wake;
      ws.on("message", (data) => {
        inbox.push(data.toString());
        wake?.();
      });
      await new Promise((resolve, reject) => {
        ws.on("open", resolve);
        ws.on("error", reject);
      });
      ws.ask = async (message) => {
        ws.send(message);
        const deadline = Date.now() + 10_000;
        while (inbox.length === 0 && Date.now() < deadline) await new Promise((r) => ((wake = r), setTimeout(r, 100)));
        return inbox.shift();
      };
      return ws;
    },
  };
}

describe("faults on workerd", () => {
  let w;
  beforeAll(async () => {
    w = await serve();
  }, 60_000);
  afterAll(() => w?.stop());

  // workerd's log, which the harness sends through the console: the faults
  // that have no caller to tell are told there.
  let spies;
  const logs = () => spies.flatMap((spy) => spy.mock.calls.map((args) => args.join(" "))).join("\n");
  beforeEach(() => {
    spies = [vi.spyOn(console, "log"), vi.spyOn(console, "error")];
  });
  afterEach(() => vi.restoreAllMocks());

  for (const [i, row] of rows.entries()) {
    test(`${row.fault}: a clear error, the transaction rolled back, acknowledged writes kept, other objects serve, nothing leaks`, async () => {
      if (row.dies) {
        const reset = await w.rpc(`${run}-${i}-reset`, "fault", "exit", `${run}-${i}-reset`);
        expect(reset.error?.message).toMatch(/os\.Exit\(3\)/);
      }
      const name = `${run}-${i}-faulty`;
      const others = Array.from({ length: 3 }, (_, k) => `${run}-${i}-other-${k}`);
      const everyone = [name, ...others];
      // A round of normal traffic: writes acknowledged, memory used.
      const traffic = async () => {
        await Promise.all(
          everyone.map(async (n) => {
            expect((await w.post(`/o/${n}/put?k=ack&v=1`)).text).toBe("ok");
            expect((await w.get(`/o/${n}/get?k=ack`)).text).toBe("1");
            expect((await w.get(`/o/${n}/mem`)).status).toBe(200);
          }),
        );
        expect(await w.rpc(name, "get", "ack")).toEqual({ value: "1" });
      };
      await traffic();
      const before = await w.stats();
      const memBefore = JSON.parse((await w.get(`/o/${others[0]}/mem`)).text);

      // Other objects have requests in flight (sleeping in Go) when the
      // fault strikes; a runtime that dies fails them before they write.
      const holdMs = row.dies ? 5_000 : 1_000;
      const inFlight = others.map((n) => w.post(`/o/${n}/hold?ms=${holdMs}&k=held&v=yes`));
      await sleep(300);
      const tag = `${run}-tx`;
      const started = Date.now();
      const result = await row.trigger(w, name, tag);
      const faultMs = Date.now() - started;

      // 1. The failing call's clear error.
      row.failed(result, logs);

      // 4. Requests in flight elsewhere: served, or failed with the reason.
      for (const r of await Promise.all(inFlight)) {
        if (row.dies) {
          expect(r.status, r.path).toBe(500);
          expect(r.text, r.path).toMatch(/the Go runtime exited while serving this request \(/);
          expect(r.text, r.path).not.toMatch(goStack);
        } else {
          expect([r.status, r.text], r.path).toEqual([200, "ok"]);
        }
      }
      const rebootStarted = Date.now();
      // 2. Nothing of the faulting transaction is visible.
      const keys = await w.get(`/o/${name}/keys?prefix=${tag}`);
      const rebootMs = Date.now() - rebootStarted;
      expect([keys.status, keys.text]).toEqual([200, "[]\n"]);
      // 3. What was acknowledged before the fault is there.
      expect((await w.get(`/o/${name}/get?k=ack`)).text).toBe("1");
      // 4. The other objects serve their next request, with their storage;
      //    what lived in memory only is kept, or lost with the runtime.
      for (const n of others) {
        expect((await w.get(`/o/${n}/get?k=ack`)).text).toBe("1");
        const held = await w.get(`/o/${n}/get?k=held`);
        expect(held.status, n).toBe(row.dies ? 404 : 200);
      }
      const memAfter = JSON.parse((await w.get(`/o/${others[0]}/mem`)).text);
      if (row.dies) {
        expect(memAfter.boot).not.toBe(memBefore.boot);
        expect(memAfter.hits).toBe(1);
      } else {
        expect(memAfter).toEqual({ boot: memBefore.boot, hits: memBefore.hits + 1 });
      }

      // 5. After a round of normal traffic, the census is what it was.
      await traffic();
      const after = await w.stats();
      expect(after.boot !== before.boot).toBe(row.dies);
      // Go asks JavaScript for one wake-up at a time (its collector and
      // scavenger ask for some of their own): more would be wake-ups that
      // pile up.
      expect(after.stats.js.timers).toBeLessThanOrEqual(1);
      const census = ({ js: { timers, ...js }, ...go }) => ({ ...go, js });
      expect(census(after.stats)).toEqual(census(before.stats));
      console.info(
        `${row.fault}: failing call answered in ${faultMs} ms; next request ${row.dies ? "(reboot included) " : ""}in ${rebootMs} ms; census ${JSON.stringify(after.stats)}`,
      );
    }, 45_000);
  }
});
