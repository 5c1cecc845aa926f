// Alarms and the lifecycle calls on local workerd: the Go objects of
// e2e/alarmworker set, read and delete alarms, handle them (failing or
// panicking on demand, to see workerd's retries), block, wait, abort and
// delete everything. Each test uses objects of its own and stays within
// seconds: workerd's first retry comes 2 s (+ up to 25%) after a failure.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker } from "./harness.mjs";

const run = Date.now().toString(36);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let server;
beforeAll(async () => {
  server = await startWorker({ config: "e2e/alarmworker/wrangler.jsonc" });
});
afterAll(() => server?.stop());

const obj = (name, path, init) => server.fetch(`/ALARMS/${run}-${name}/${path}`, init);
const post = (name, path) => obj(name, path, { method: "POST" });
async function json(res) {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text);
}
const state = async (name) => json(await obj(name, "state"));

// waitFor polls the object's state until done(state) holds, for up to ms.
async function waitFor(name, done, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await state(name);
    if (done(s) || Date.now() > end) return s;
    await sleep(100);
  }
}

describe("alarms on workerd", () => {
  test("set, get, replace and delete", async () => {
    const at = Date.now() + 3_600_000;
    const set = await json(await post("crud", `set?at=${at}`));
    expect(set.alarm).toBe(at);
    await json(await post("crud", `set?at=${at + 1000}`));
    expect((await state("crud")).alarm).toBe(at + 1000);
    expect((await post("crud", "delete-alarm")).status).toBe(200);
    expect((await state("crud")).alarm).toBe(null);
  });

  test("an alarm fires and the handler's writes are visible", async () => {
    const set = await json(await post("fires", "set?in=300"));
    const s = await waitFor("fires", (s) => s.attempts.length > 0 && s.alarm === null, 5_000);
    expect(s.attempts).toHaveLength(1);
    expect(s.attempts[0]).toMatchObject({ retryCount: 0, isRetry: false, scheduled: set.alarm });
    expect(s.attempts[0].at).toBeGreaterThanOrEqual(set.alarm);
    expect(s.alarm).toBe(null);
  });

  test("an alarm in the past becomes now and fires at once", async () => {
    const before = Date.now();
    const set = await json(await post("past", "set?at=12345"));
    // Either it already went off, or it reads as now.
    if (set.alarm !== null) expect(set.alarm).toBeGreaterThanOrEqual(before - 1000);
    const s = await waitFor("past", (s) => s.attempts.length > 0, 3_000);
    expect(s.attempts).toHaveLength(1);
    expect(s.attempts[0].at - before).toBeLessThan(2_000);
  });

  for (const how of ["error", "panic"]) {
    test(`a failing attempt (${how}) is retried with retryCount and isRetry`, async () => {
      const name = `retry-${how}`;
      const set = await json(await post(name, `set?in=100&failures=1&panic=${how === "panic" ? 1 : 0}`));
      const s = await waitFor(name, (s) => s.attempts.length >= 2 || (s.attempts.length === 1 && s.alarm === null), 8_000);
      expect(s.attempts.map((a) => [a.retryCount, a.isRetry])).toEqual([
        [0, false],
        [1, true],
      ]);
      // workerd waits 2 s, plus up to 25% jitter, before the first retry.
      const gap = s.attempts[1].at - s.attempts[0].at;
      expect(gap).toBeGreaterThanOrEqual(1_900);
      expect(gap).toBeLessThan(3_500);
      expect(s.attempts[1].scheduled).toBe(set.alarm);
      expect(s.alarm).toBe(null);
      // The object kept serving throughout.
      expect((await post(name, "memory")).status).toBe(200);
    }, 15_000);
  }
});

describe("lifecycle on workerd", () => {
  test("DeleteAll wipes SQL, KV and the alarm", async () => {
    const out = await json(await post("delete-all", "delete-all"));
    expect(out).toEqual({ schema: 0, kv: 0, alarm: false });
    // The object goes on, its constructor's table gone until it is built again.
    expect((await obj("delete-all", "kv/after", { method: "PUT", body: "yes" })).status).toBe(200);
    expect(await (await obj("delete-all", "kv/after")).text()).toBe("yes");
  });

  test("BlockConcurrencyWhile in the constructor holds back concurrent requests", async () => {
    const name = `${run}-startup`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        await sleep(i * 40);
        return json(await server.fetch(`/STARTUP/${name}/`));
      }),
    );
    const instances = new Set(answers.map((a) => a.instance));
    expect(instances.size).toBe(1);
    for (const a of answers) expect(a.served).toBeGreaterThanOrEqual(a.loaded);
  });

  test("a failing BlockConcurrencyWhile in the constructor resets the object, which then serves", async () => {
    const path = `/STARTUP/${run}-fail-once/`;
    const failed = await server.fetch(path);
    expect(failed.status).toBe(502);
    const text = await failed.text();
    // The caller learns that it failed, not the Go error's text (that is logged).
    expect(text).not.toContain("on purpose");
    const ok = await json(await server.fetch(path));
    expect(ok.served).toBeGreaterThanOrEqual(ok.loaded);
  });

  test("BlockConcurrencyWhile in a handler holds back other requests", async () => {
    const blocked = post("block", "block?ms=400");
    await sleep(100);
    const pings = await Promise.all([post("block", "ping"), post("block", "ping")]);
    for (const p of pings) expect(p.status).toBe(200);
    expect(await (await blocked).text()).toBe("blocked");
    const events = await json(await obj("block", "events"));
    expect(events).toEqual(["block-start", "block-end", "ping", "ping"]);
  });

  test("WaitUntil work completes after the response", async () => {
    const { answered } = await json(await post("wait-until", "wait-until?ms=300"));
    expect((await obj("wait-until", "kv/wait-until")).status).toBe(404);
    let res;
    const end = Date.now() + 3_000;
    do {
      await sleep(100);
      res = await obj("wait-until", "kv/wait-until");
    } while (res.status === 404 && Date.now() < end);
    expect(res.status).toBe(200);
    // workerd's clock moves only between I/O events, so allow a few ms of slack.
    expect(Number(await res.text())).toBeGreaterThanOrEqual(answered + 250);
  });

  test("Abort resets the object: memory gone, storage kept, the caller gets the reason", async () => {
    expect((await obj("abort", "kv/kept", { method: "PUT", body: "stored" })).status).toBe(200);
    const first = await json(await post("abort", "memory"));
    expect((await json(await post("abort", "memory"))).memory).toBe(2);
    const aborted = await post("abort", "abort?reason=bye%20now");
    expect(aborted.status).toBe(502);
    expect(await aborted.text()).toContain("bye now");
    const after = await json(await post("abort", "memory"));
    expect(after.memory).toBe(1);
    expect(after.instance).not.toBe(first.instance);
    expect(await (await obj("abort", "kv/kept")).text()).toBe("stored");
    expect((await obj("abort", "kv/aborting-turn")).status).toBe(404);
    // The Go runtime the isolate shares goes on: another object sleeps on a
    // Go timer and answers.
    expect(await (await post("after-abort", "block?ms=50")).text()).toBe("blocked");
  });
});
