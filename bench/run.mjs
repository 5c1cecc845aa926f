// npm run bench: the village in Go and the same Worker in JavaScript, side by
// side on local workerd (Miniflare, loopback only), with ratios. Figures move
// with the machine's load; the ratios are what to compare between runs.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { checkTools, install, offlineEnv, root } from "../scripts/lib.mjs";

checkTools();
install();
Object.assign(process.env, offlineEnv());
// Imported only now: on a fresh clone, install() has just put them in place.
const { Miniflare } = await import("miniflare");
const { startWorker } = await import("../e2e/harness.mjs");

const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 400);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 4;

const build = spawnSync("go", ["run", "./cmd/durable-build", "./village"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);

// newestWorkerd is the workerd process started last: the server just started.
const newestWorkerd = () => execFileSync("pgrep", ["-n", "-x", "workerd"]).toString().trim();
const rssKiB = (pid) => Number(execFileSync("ps", ["-o", "rss=", "-p", pid]).toString());

async function startJS() {
  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(root, "bench", "village.js.mjs"),
    compatibilityDate: "2026-04-20",
    durableObjects: { GREETER: { className: "Greeter", useSQLite: true } },
    host: "127.0.0.1",
    port: 0,
  });
  const url = await mf.ready;
  return { url, fetch: (p, init) => fetch(new URL(p, url), init), stop: () => mf.dispose() };
}

async function get(server, p) {
  const res = await server.fetch(p);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${p}: ${res.status} ${text}`);
  return text;
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function sequential(server, name) {
  await get(server, `/hey/${name}`);
  const times = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    await get(server, `/hey/${name}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

async function throughput(server, name) {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        await get(server, `/hey/${name}`);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function newObjects(server, pid, prefix) {
  const before = rssKiB(pid);
  const firsts = [];
  for (let i = 0; i < OBJECTS; i++) {
    const t = performance.now();
    await get(server, `/hey/${prefix}${i}`);
    firsts.push(performance.now() - t);
  }
  firsts.sort((a, b) => a - b);
  return { first: percentile(firsts, 0.5), kib: (rssKiB(pid) - before) / OBJECTS };
}

const js = await startJS();
const jsPid = newestWorkerd();
const go = await startWorker();
const goPid = newestWorkerd();
try {
  const rows = [];
  const runId = Date.now().toString(36);
  // Alternate JS and Go so that load changes hit both alike.
  const lat = { js: [], go: [] };
  for (let round = 0; round < 2; round++) {
    lat.js.push(await sequential(js, `js${runId}`));
    lat.go.push(await sequential(go, `go${runId}`));
  }
  const best = (list, key) => Math.min(...list.map((r) => r[key]));
  rows.push(["p50 latency, sequential (ms)", best(lat.js, "p50"), best(lat.go, "p50")]);
  rows.push(["p99 latency, sequential (ms)", best(lat.js, "p99"), best(lat.go, "p99")]);
  const tput = { js: await throughput(js, `js${runId}`), go: await throughput(go, `go${runId}`) };
  rows.push([`throughput, ${CONNECTIONS} connections (req/s)`, tput.js, tput.go]);
  const fresh = { js: await newObjects(js, jsPid, `jsn${runId}`), go: await newObjects(go, goPid, `gon${runId}`) };
  rows.push(["first request to a new object, p50 (ms)", fresh.js.first, fresh.go.first]);
  rows.push(["workerd memory per new object (KiB)", fresh.js.kib, fresh.go.kib]);

  console.log(`\nvillage GET /hey/{name} on Miniflare ${SEQUENTIAL} sequential requests x2 rounds, ${SECONDS} s of load, ${OBJECTS} new objects\n`);
  console.log("| measure | JavaScript | Go | Go / JS |");
  console.log("|---|---:|---:|---:|");
  for (const [label, a, b] of rows) {
    console.log(`| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
  }
} finally {
  await js.stop();
  await go.stop();
}
