// The reproduction of the known limit in internal/bridge/doc.go: sustained
// load whose object handlers sleep on Go timers. It serves the stress Worker
// (e2e/stressworker) on local workerd, loopback only, sends 200 + 4,000
// requests from 32 connections over 200 objects, and prints how many failed.
//
//   node bench/timer-load.mjs [ms]   ms: each handler's sleep, or "mix" for 0-2 ms (default)
import { spawnSync } from "node:child_process";
import { checkTools, install, offlineEnv, root } from "../scripts/lib.mjs";

checkTools();
install();
Object.assign(process.env, offlineEnv());
const { startWorker } = await import("../e2e/harness.mjs");
const config = "e2e/stressworker/wrangler.jsonc";
const build = spawnSync("go", ["run", "./cmd/durable-build", "-config", config, "./e2e/stressworker"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const ms = process.argv[2] ?? "mix";
const server = await startWorker({ config });
const names = Array.from({ length: 200 }, (_, i) => `t${Date.now().toString(36)}-${i}`);
let failed = 0;
let first = null;
async function wave(n) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        const sleep = ms === "mix" ? i % 3 : Number(ms);
        const path = `/c/${names[i % 200]}/work?ms=${sleep}&peer=${names[(i + 1) % 200]}`;
        const res = await server.fetch(path, { signal: AbortSignal.timeout(5000) }).catch((e) => ({ status: 0, text: async () => String(e) }));
        const text = await res.text();
        if (res.status !== 200) {
          failed++;
          first ??= `request ${i}: ${res.status} ${text.slice(0, 160)}`;
        }
      }
    }),
  );
}
const started = Date.now();
await wave(200);
await wave(4000);
await server.stop();
console.log(`sleep ${ms} ms: 4,200 requests, ${failed} failed, ${((Date.now() - started) / 1000).toFixed(1)} s${first ? `; first: ${first}` : ""}`);
process.exit(failed > 0 ? 1 : 0);
