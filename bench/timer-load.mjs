// The reproduction of the known limit in internal/bridge/doc.go: sustained
// load whose object handlers sleep on Go timers. It serves the stress Worker
// (e2e/stressworker) on local workerd, loopback only, sends 200 + 4,000
// requests from 32 connections over 200 objects, and prints how many failed,
// by cause.
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
// kinds counts failures by cause: the trace-span refusal this bench is about,
// other refusals, timeouts (a loaded machine), and the rest.
const kinds = {};
const kindOf = (text) =>
  text.includes("SpanParent") ? "SpanParent" : text.includes("different") ? "other context" : /timeout|aborted/i.test(text) ? "timeout" : "other";
// request fetches path and reads its answer within 5 s. The timer is our own
// and the wait is bounded twice: an AbortSignal.timeout signal has been seen
// never to fire on a loaded machine, which left the bench waiting forever.
async function request(path) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error("timeout after 5 s")), 5000);
  const attempt = (async () => {
    const res = await server.fetch(path, { signal: abort.signal });
    return { status: res.status, text: await res.text() };
  })().catch((e) => ({ status: 0, text: String(e?.message ?? e) }));
  let guard;
  const stuck = new Promise((resolve) => (guard = setTimeout(resolve, 10_000, { status: 0, text: "timeout: no answer after 10 s" })));
  try {
    return await Promise.race([attempt, stuck]);
  } finally {
    clearTimeout(timer);
    clearTimeout(guard);
  }
}

async function wave(n) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        const sleep = ms === "mix" ? i % 3 : Number(ms);
        const path = `/c/${names[i % 200]}/work?ms=${sleep}&peer=${names[(i + 1) % 200]}`;
        const { status, text } = await request(path);
        if (status !== 200) {
          failed++;
          kinds[kindOf(text)] = (kinds[kindOf(text)] ?? 0) + 1;
          first ??= `request ${i}: ${status} ${text.slice(0, 160)}`;
        }
      }
    }),
  );
}
const started = Date.now();
await wave(200);
await wave(4000);
const byKind = Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ");
console.log(`sleep ${ms} ms: 4,200 requests, ${failed} failed${byKind ? ` (${byKind})` : ""}, ${((Date.now() - started) / 1000).toFixed(1)} s${first ? `; first: ${first}` : ""}`);
// Stopping Miniflare has been seen to hang on a loaded machine: the figures
// are out, so do not wait for it long.
await Promise.race([server.stop(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
process.exit(failed > 0 ? 1 : 0);
