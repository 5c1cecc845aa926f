// node bench/rpc.mjs: the cost of one RPC call on local workerd, in each
// direction, next to a stub fetch and a JavaScript-to-JavaScript call. Each
// row times a request that makes N sequential calls from inside the Worker
// and one that makes none; the difference over N is the cost of a call.
// Needs the e2e RPC Workers built (npx vitest run e2e/rpc.test.mjs builds
// them, or go run ./cmd/durable-build -config e2e/rpcworker/wrangler.jsonc ./e2e/rpcworker).
import path from "node:path";
import { root, startWorkers } from "../e2e/harness.mjs";

const N = Number(process.env.N ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const server = await startWorkers([
  { config: "e2e/rpcworker/wrangler.jsonc", name: "durable-rpc" },
  {
    name: "rpc-js",
    scriptPath: path.join(root, "e2e/rpcjs/worker.mjs"),
    compatibilityDate: "2026-04-20",
    compatibilityFlags: ["enhanced_error_serialization"],
    durableObjects: { JS: { className: "JsCounter" }, GO: { className: "Counter", scriptName: "durable-rpc" } },
  },
]);
const js = await server.worker("rpc-js");

async function perCall(fetcher, pathname) {
  const time = async (n) => {
    const start = performance.now();
    const res = await fetcher(`${pathname}?n=${n}`);
    if (res.status !== 200) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
    await res.text();
    return performance.now() - start;
  };
  await time(20); // warm up: objects constructed, runtimes booted
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) samples.push(((await time(N)) - (await time(0))) / N);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rows = [
  ["Go → Go, RPC (Call)", () => perCall(server.fetch, "/bench/rpc")],
  ["Go → Go, stub fetch", () => perCall(server.fetch, "/bench/fetch")],
  ["Go → JS, RPC (Call)", () => perCall(server.fetch, "/bench/js")],
  ["JS → Go, RPC", () => perCall(js, "/bench/go")],
  ["JS → JS, RPC (reference)", () => perCall(js, "/bench/js")],
];
console.log(`median of ${ROUNDS} rounds of ${N} sequential calls, ms per call`);
for (const [name, run] of rows) console.log(`${name.padEnd(28)} ${(await run()).toFixed(3)}`);
await server.stop();
