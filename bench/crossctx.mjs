// node bench/crossctx.mjs: a short run of the load Worker (e2e/loadworker)
// that counts workerd's warning "A promise was resolved or rejected from a
// different request context" and the WebSockets the server closed, for the
// path behind issue #10's dropped socket. A burst (LOAD_REQUESTS writes from
// 32 connections) is followed by a slow phase (SLOW_SECONDS at SLOW_RATE
// writes/s from 8 connections), where objects go idle between writes, as in
// the soak. It prints each distinct warning stack once, with its count.
//
// Environment: LOAD_REQUESTS (3000), SLOW_SECONDS (60), SLOW_RATE (50);
// NO_BUILD=1 skips the build; CONFIG names another wrangler config under the
// repository (a copy of e2e/loadworker's with an older build/, to compare).
// The warning comes from a race, so a run that shows none proves little:
// runs of 5 minutes or more on a busy machine show it best.
import { spawnSync } from "node:child_process";
import { checkTools, fail, offlineEnv, root } from "../scripts/lib.mjs";

checkTools();
Object.assign(process.env, offlineEnv());
const { startWorker, tempDir } = await import("../e2e/harness.mjs");
const { Ledger, Load, summary } = await import("../e2e/load.mjs");

const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 3000);
const SLOW_SECONDS = Number(process.env.SLOW_SECONDS ?? 60);
const SLOW_RATE = Number(process.env.SLOW_RATE ?? 50);
const CONFIG = process.env.CONFIG ?? "e2e/loadworker/wrangler.jsonc";

if (!process.env.NO_BUILD) {
  const build = spawnSync("go", ["run", "./cmd/durable-build", "-config", "e2e/loadworker/wrangler.jsonc", "./e2e/loadworker"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) fail("durable-build failed for e2e/loadworker");
}

// workerd's output reaches the console (the harness's handleRuntimeStdio):
// count the warnings there, by stack.
const WARNING = "A promise was resolved or rejected from a different request context";
const stacks = new Map();
let phase = "load";
const counts = { load: 0, slow: 0 };
let other = 0;
const times = [];
const t0 = performance.now();
for (const name of ["log", "error"]) {
  const original = console[name].bind(console);
  console[name] = (...args) => {
    const text = args.map(String).join(" ");
    if (text.includes(WARNING)) {
      for (const part of text.split(/(?=\S*Warning: A promise)/)) {
        if (!part.includes(WARNING)) continue;
        counts[phase]++;
        times.push(Math.round((performance.now() - t0) / 1000));
        const stack = part.split("\n").slice(1, 14).join("\n");
        stacks.set(stack, (stacks.get(stack) ?? 0) + 1);
      }
      return;
    }
    if (other++ < 40) original(...args);
  };
}

// State on disk, as in the soak: writes take longer to be confirmed.
const [dir, cleanup] = tempDir("durable-crossctx-");
const server = await startWorker({ config: CONFIG, persist: dir });
const ledger = new Ledger();
const prefix = `x-${Date.now().toString(36)}`;
try {
  const l = new Load(server.url, { objects: 200, prefix, connections: 32, seed: 1, ledger });
  const r1 = await l.run({ requests: REQUESTS, phase: "load" });
  process.stderr.write(`load: ${summary(l, r1)}\n`);
  phase = "slow";
  const s = new Load(server.url, { objects: 200, prefix, connections: 8, seed: 2, ledger });
  const end = performance.now() + SLOW_SECONDS * 1000;
  const r2 = await s.run({ rate: SLOW_RATE, until: () => performance.now() > end, phase: "slow" });
  process.stderr.write(`slow: ${summary(s, r2)}\n`);
  await l.close();
  await s.close();
} finally {
  await server.stop();
  cleanup();
}
process.stderr.write(`warnings: ${counts.load} during the load, ${counts.slow} during the slow phase\n`);
if (times.length) process.stderr.write(`seconds after start: ${times.join(" ")}\n`);
for (const [stack, n] of stacks) process.stderr.write(`--- ${n} ×\n${stack}\n`);
