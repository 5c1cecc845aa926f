// Load and durability: writes from 32 connections over 200 objects, mixing SQL,
// KV, RPC and WebSocket messages (e2e/load.mjs, Worker e2e/loadworker), must
// all succeed and leave exact counts. Then workerd is killed with SIGKILL while
// writes are in flight, and a new workerd on the same state must hold every
// acknowledged write and no write applied by halves.
//
// LOAD_REQUESTS sets the number of writes (2,000 here, to stay well under two
// minutes on a loaded two-core machine); `npm run soak` runs 20,000.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker, tempDir } from "./harness.mjs";
import { Ledger, Load, checkState, killDuringLoad, summary } from "./load.mjs";
import { newestWorkerd } from "./workerd.mjs";

const config = "e2e/loadworker/wrangler.jsonc";
const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 2000);
const OBJECTS = 200;
const CONNECTIONS = 32;
const prefix = `load-${Date.now().toString(36)}`;

describe("load and durability", () => {
  let dir, cleanup, server, pid;
  const ledger = new Ledger();
  const load = (seed) => new Load(server.url, { objects: OBJECTS, prefix, connections: CONNECTIONS, seed, ledger });
  beforeAll(async () => {
    [dir, cleanup] = tempDir("durable-load-");
    server = await startWorker({ config, persist: dir });
    pid = newestWorkerd();
  });
  afterAll(async () => {
    await server?.stop();
    cleanup?.();
  });

  test(`${REQUESTS} writes from ${CONNECTIONS} connections over ${OBJECTS} objects (SQL, KV, RPC, WebSocket): no errors, exact counts`, async () => {
    const l = load(1);
    try {
      const run = await l.run({ requests: REQUESTS, phase: "load" });
      console.log(`load: ${summary(l, run)}`);
      expect(l.errors.slice(0, 5)).toEqual([]);
      // Nothing closes the WebSockets but the client.
      expect(l.closes).toEqual([]);
      const check = checkState(await l.state(), ledger, { exact: true });
      expect(check.problems.slice(0, 10)).toEqual([]);
      expect(check.present).toBe(REQUESTS);
    } finally {
      await l.close();
    }
  }, 150_000);

  test("after SIGKILL mid-load, a new workerd holds every acknowledged write and no half-applied one", async () => {
    const l = load(2);
    let kill;
    try {
      kill = await killDuringLoad(l, pid, { after: 200 });
    } finally {
      await l.close();
    }
    await server.stop();
    console.log(`kill: ${kill.sent} writes sent, ${kill.acked} acknowledged, ${kill.inFlight} in flight at SIGKILL, ${l.errors.length} failed`);
    // Writes were in flight, so the check below covers unacknowledged ones.
    expect(kill.inFlight).toBeGreaterThan(0);
    expect(l.errors.length).toBeGreaterThan(0);

    server = await startWorker({ config, persist: dir });
    pid = newestWorkerd();
    const after = load(3);
    try {
      const check = checkState(await after.state(), ledger, { exact: false });
      console.log(`after restart: ${check.present} writes present, ${check.acked} acknowledged, ${check.sent} sent; ${check.unackedApplied} unacknowledged writes were applied whole`);
      expect(check.problems.slice(0, 10)).toEqual([]);
      expect(check.present).toBeGreaterThanOrEqual(check.acked);
      expect(check.present).toBeLessThanOrEqual(check.sent);

      // The objects go on serving, every kind.
      const run = await after.run({ requests: 200, phase: "after" });
      expect(after.errors.slice(0, 5)).toEqual([]);
      expect(run.sent).toBe(200);
      const again = checkState(await after.state(), ledger, { exact: false });
      expect(again.problems.slice(0, 10)).toEqual([]);
      expect(again.present).toBe(check.present + 200);
    } finally {
      await after.close();
    }
  }, 150_000);
});
