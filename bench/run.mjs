// npm run bench: the same Worker written in JavaScript (bench/worker.js.mjs) and in
// Go (bench/worker), side by side on the same local workerd (Miniflare from
// node_modules, loopback only, offline), with one table of figures and Go/JS ratios.
// Figures move with the machine's load; the ratios are what to compare between runs.
//
// Every request goes to the front worker, which forwards it to a Durable Object of
// class Bench named in the path (except /front, answered by the front alone). Rows:
//
// 1. plain response: GET /plain/{name}, the object answers a fixed text with no
//    storage. p50 and p99 of sequential requests (a fetch loop in this process, one
//    at a time), and throughput: autocannon, a separate process, with CONNECTIONS
//    connections for SECONDS seconds, all on one object.
// 2. SQL counter: GET /hey/{name}, the village's Greeter: one INSERT … ON CONFLICT
//    DO UPDATE … RETURNING count. p50, p99 sequential, and throughput as in 1.
// 3. SQL bulk: GET /bulk/{name}: one transaction (Go Storage.Transaction, JS
//    transactionSync) deletes the table and inserts 100 rows one statement each,
//    then one SELECT reads the 100 rows back. p50 sequential.
// 4. KV put + get: GET /kv/{name}: the synchronous KV API (Go Storage.KV, JS
//    ctx.storage.kv) puts a value and gets it back. p50 sequential, throughput.
// 5. first request to a new object: p50 over the OBJECTS objects of row 6, each
//    touched once with GET /hey/{new name}, on a server that has served before.
// 6. memory per live object: the RSS growth of that language's workerd process
//    (ps) while OBJECTS distinct objects are touched, divided by OBJECTS. workerd
//    frees an object about 10 s after its last request, and the memory is reused
//    by the next object without RSS shrinking, so these servers are started with
//    Miniflare's unsafePreventEviction: all OBJECTS objects stay live to the end.
// 7. cold start: a new workerd process (a new Miniflare instance) to the first
//    response of GET /plain/{name} (front and one object, both cold); median of
//    STARTS starts per language, split into "workerd ready" (process started,
//    script and wasm loaded) and "first request".
// 8. size: app.wasm raw and gzip -9 (Go only), and the bundle wrangler would
//    upload (`wrangler deploy --dry-run`: total and gzip) for both languages.
//
// JS and Go alternate throughout (round by round, object by object, start by
// start) so that changes in the machine's load hit both alike.
//
// Environment: BENCH_QUICK=1 shrinks everything for a quick check; BENCH_REQUESTS
// (sequential requests per workload per round), BENCH_ROUNDS, BENCH_SECONDS,
// BENCH_OBJECTS and BENCH_STARTS set each knob alone.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { bin, checkTools, install, offlineEnv, root } from "../scripts/lib.mjs";

checkTools();
install();
Object.assign(process.env, offlineEnv());
// Imported only now: on a fresh clone, install() has just put them in place.
const { startWorker } = await import("../e2e/harness.mjs");
// newestWorkerd: the pid of the server just started; rssKiB: its memory.
const { newestWorkerd, rssKiB } = await import("../e2e/workerd.mjs");
const { Miniflare } = await import("miniflare");
const { unstable_getMiniflareWorkerOptions } = await import("wrangler");

const QUICK = process.env.BENCH_QUICK === "1";
const knob = (name, full, quick) => Number(process.env[name] ?? (QUICK ? quick : full));
const SEQUENTIAL = knob("BENCH_REQUESTS", 300, 60);
const ROUNDS = knob("BENCH_ROUNDS", 2, 1);
const SECONDS = knob("BENCH_SECONDS", 4, 2);
const OBJECTS = knob("BENCH_OBJECTS", 1000, 100);
const STARTS = knob("BENCH_STARTS", 5, 2);
const CONNECTIONS = 4;
const WARMUP = 20;

const GO_CONFIG = "bench/worker/wrangler.jsonc";
const JS_CONFIG = "bench/worker.js.jsonc";
const WASM = path.join(root, "bench", "worker", "build", "app.wasm");
const RESULTS = path.join(root, "bench", "results");
const LANGS = [
  { key: "js", config: JS_CONFIG },
  { key: "go", config: GO_CONFIG },
];

const started = performance.now();
const build = spawnSync("go", ["run", "./cmd/durable-build", "-config", GO_CONFIG, "./bench/worker"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);

// --- helpers ---------------------------------------------------------------

const log = (message) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);

// startPinned is e2e/harness.mjs's startWorker with every Durable Object class
// kept in memory until the server stops (no eviction of idle objects).
async function startPinned(config) {
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(path.resolve(root, config));
  const durableObjects = Object.fromEntries(
    Object.entries(workerOptions.durableObjects ?? {}).map(([binding, d]) => [
      binding,
      { ...(typeof d === "string" ? { className: d } : d), unsafePreventEviction: true },
    ]),
  );
  const mf = new Miniflare({
    ...workerOptions,
    durableObjects,
    modules: true,
    scriptPath: main,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    host: "127.0.0.1",
    port: 0,
    durableObjectsPersist: false,
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

async function timed(server, p) {
  const t = performance.now();
  await get(server, p);
  return performance.now() - t;
}

function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const median = (values) => percentile(values, 0.5);

// sequential times n requests to one object, one after the other.
async function sequential(server, p, n) {
  const times = [];
  for (let i = 0; i < n; i++) times.push(await timed(server, p));
  return times;
}

// autocannon runs the load generator in its own process and returns requests/s.
function autocannon(url) {
  return new Promise((resolve, reject) => {
    const args = ["--json", "-c", String(CONNECTIONS), "-d", String(SECONDS), "-t", "10", url];
    const child = spawn(bin("autocannon"), args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`autocannon ${url} exited ${code}: ${err}`));
      const r = JSON.parse(out);
      if (r.errors || r.non2xx) return reject(new Error(`autocannon ${url}: ${r.errors} errors, ${r.non2xx} non-2xx answers`));
      resolve(r.requests.total / r.duration);
    });
  });
}

// wranglerBundle is what `wrangler deploy --dry-run` says it would upload, in KiB.
function wranglerBundle(config) {
  const outdir = path.join(process.env.TMPDIR, `bench-dry-run-${path.basename(path.dirname(config))}-${path.basename(config)}`);
  rmSync(outdir, { recursive: true, force: true });
  const out = execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", outdir, "--config", config], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  rmSync(outdir, { recursive: true, force: true });
  const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  if (!m) throw new Error(`wrangler deploy --dry-run --config ${config}: no "Total Upload" line in:\n${out}`);
  return { raw: Number(m[1]), gzip: Number(m[2]) };
}

// --- the run ------------------------------------------------------------------

const rows = []; // [label, js, go, lowerIsBetter]
const row = (label, js, go, lowerIsBetter = true, chart = true) => rows.push({ label, js, go, lowerIsBetter, chart });
const runId = Date.now().toString(36);
const notes = []; // extra lines for latest.md
const servers = {};
const pids = {};
for (const lang of LANGS) {
  servers[lang.key] = await startWorker({ config: lang.config });
  pids[lang.key] = newestWorkerd();
}
log(`serving JS (workerd ${pids.js}) at ${servers.js.url} and Go (workerd ${pids.go}) at ${servers.go.url}`);

try {
  // Rows 1-4, latency: sequential requests, rounds alternating JS and Go.
  const workloads = [
    { key: "plain", label: "plain response", p99: true },
    { key: "hey", label: "SQL counter", p99: true },
    { key: "bulk", label: `SQL bulk: 100-row transaction + read back`, p99: false },
    { key: "kv", label: "KV put + get", p99: false },
  ];
  const lat = {};
  for (const w of workloads) {
    lat[w.key] = { js: [], go: [] };
    for (const lang of LANGS) await sequential(servers[lang.key], `/${w.key}/${lang.key}-${runId}`, WARMUP);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const w of workloads) {
      for (const lang of LANGS) {
        lat[w.key][lang.key].push(...(await sequential(servers[lang.key], `/${w.key}/${lang.key}-${runId}`, SEQUENTIAL)));
      }
    }
    log(`latency round ${round + 1}/${ROUNDS} done`);
  }

  // Throughput: autocannon in its own process, rounds alternating JS and Go.
  const tputKeys = ["plain", "hey", "kv"];
  const tput = Object.fromEntries(tputKeys.map((k) => [k, { js: [], go: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of tputKeys) {
      for (const lang of LANGS) {
        tput[k][lang.key].push(await autocannon(new URL(`/${k}/${lang.key}-${runId}`, servers[lang.key].url).href));
      }
    }
    log(`throughput round ${round + 1}/${ROUNDS} done`);
  }
  const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;

  for (const w of workloads) {
    row(`${w.label}: p50 latency (ms)`, median(lat[w.key].js), median(lat[w.key].go));
    if (w.p99) row(`${w.label}: p99 latency (ms)`, percentile(lat[w.key].js, 0.99), percentile(lat[w.key].go, 0.99));
    if (tput[w.key]) {
      row(`${w.label}: throughput, autocannon ${CONNECTIONS} connections (req/s)`, mean(tput[w.key].js), mean(tput[w.key].go), false);
    }
  }

} finally {
  await servers.js.stop();
  await servers.go.stop();
}

// Rows 5-6: OBJECTS new objects on fresh servers that never evict an object,
// alternating JS and Go object by object.
for (const lang of LANGS) {
  servers[lang.key] = await startPinned(lang.config);
  pids[lang.key] = newestWorkerd();
}
try {
  for (const lang of LANGS) await sequential(servers[lang.key], `/hey/${lang.key}-${runId}-warm`, WARMUP);
  const before = { js: rssKiB(pids.js), go: rssKiB(pids.go) };
  const firsts = { js: [], go: [] };
  const budgetKiB = (os.totalmem() / 1024) * 0.6; // stop before the machine runs short
  let touched = 0;
  for (; touched < OBJECTS; touched++) {
    for (const lang of LANGS) firsts[lang.key].push(await timed(servers[lang.key], `/hey/${lang.key}-${runId}-new-${touched}`));
    if (touched % 100 === 99) {
      log(`${touched + 1}/${OBJECTS} new objects`);
      if (rssKiB(pids.js) + rssKiB(pids.go) > budgetKiB) {
        log(`stopping at ${touched + 1} objects: workerd RSS is over 60% of this machine's memory`);
        touched++;
        break;
      }
    }
  }
  const after = { js: rssKiB(pids.js), go: rssKiB(pids.go) };
  row(`first request to a new object: p50 (ms)`, median(firsts.js), median(firsts.go));
  row(
    `memory per live object, workerd RSS growth / ${touched} live objects (KiB)`,
    (after.js - before.js) / touched,
    (after.go - before.go) / touched,
  );
  notes.push(
    `workerd RSS before and after ${touched} live objects: JS ${(before.js / 1024).toFixed(0)} → ${(after.js / 1024).toFixed(0)} MiB, Go ${(before.go / 1024).toFixed(0)} → ${(after.go / 1024).toFixed(0)} MiB`,
  );
  log(notes.at(-1));
} finally {
  await servers.js.stop();
  await servers.go.stop();
}

// Row 7: cold starts, a new Miniflare (a new workerd process) each time.
const cold = { js: { ready: [], first: [], total: [] }, go: { ready: [], first: [], total: [] } };
for (let s = 0; s < STARTS; s++) {
  for (const lang of LANGS) {
    const t0 = performance.now();
    const server = await startWorker({ config: lang.config });
    const t1 = performance.now();
    try {
      await get(server, `/plain/cold-${s}`);
      const t2 = performance.now();
      cold[lang.key].ready.push(t1 - t0);
      cold[lang.key].first.push(t2 - t1);
      cold[lang.key].total.push(t2 - t0);
    } finally {
      await server.stop();
    }
  }
}
log(`${STARTS} cold starts per language done`);
row(`cold start: new workerd to first response, median of ${STARTS} (ms)`, median(cold.js.total), median(cold.go.total));
row(`  of which workerd ready, script loaded (ms)`, median(cold.js.ready), median(cold.go.ready));
row(`  of which first request, front + object (ms)`, median(cold.js.first), median(cold.go.first));

// Row 8: sizes.
const wasm = readFileSync(WASM);
const wasmGzip = zlib.gzipSync(wasm, { level: 9 }).length;
const bundle = { js: wranglerBundle(JS_CONFIG), go: wranglerBundle(GO_CONFIG) };
row(`app.wasm raw (KiB)`, null, wasm.length / 1024);
row(`app.wasm gzip -9 (KiB)`, null, wasmGzip / 1024);
// Left out of the chart: a few KiB of JavaScript against megabytes of wasm is a
// ratio in the thousands, which would flatten every other bar.
row(`bundle, wrangler deploy --dry-run: total (KiB)`, bundle.js.raw, bundle.go.raw, true, false);
row(`bundle, wrangler deploy --dry-run: gzip (KiB)`, bundle.js.gzip, bundle.go.gzip, true, false);

// --- output -------------------------------------------------------------------

const fmt = (v) => (v == null ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (r) => (r.js == null || r.go == null ? null : r.go / r.js);
const fmtRatio = (r) => (r == null ? "—" : r >= 10 ? r.toFixed(1) : r.toFixed(2));
const seconds = ((performance.now() - started) / 1000).toFixed(0);
const settings = `${SEQUENTIAL} sequential requests × ${ROUNDS} rounds per workload, ${ROUNDS} × ${SECONDS} s of autocannon load, ${OBJECTS} new objects, ${STARTS} cold starts`;
const table = [
  "| measure | JavaScript | Go | Go / JS |",
  "|---|---:|---:|---:|",
  ...rows.map((r) => `| ${r.label} | ${fmt(r.js)} | ${fmt(r.go)} | ${fmtRatio(ratio(r))} |`),
].join("\n");

console.log(`\nSame Worker in JavaScript and Go on Miniflare/workerd (loopback): ${settings}. Run took ${seconds} s.\n`);
console.log(table);
console.log("\nGo / JS above 1: Go is slower or bigger, except for throughput, where above 1 is Go faster.");

const goVersion = execFileSync("go", ["version"], { encoding: "utf8" }).trim();
const knobs = Object.entries(process.env)
  .filter(([k]) => k.startsWith("BENCH_"))
  .map(([k, v]) => `${k}=${v} `)
  .join("");
const now = new Date();
const report = `# npm run bench: JavaScript vs Go Durable Objects

- date: ${now.toISOString()}
- machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}
- node: ${process.version}; go: ${goVersion}
- command: \`${knobs}npm run bench\` (${seconds} s)
- settings: ${settings}; Miniflare/workerd from node_modules, one workerd process per language

${table}

Go / JS above 1: Go is slower or bigger, except for throughput, where above 1 is Go faster.
${notes.map((n) => `\n- ${n}`).join("")}

What each row measures: the comment at the top of bench/run.mjs. Chart: ratios.svg.
`;
mkdirSync(RESULTS, { recursive: true });
writeFileSync(path.join(RESULTS, "latest.md"), report);
writeFileSync(path.join(RESULTS, "ratios.svg"), ratioChart(rows, now));
log(`wrote ${path.relative(root, path.join(RESULTS, "latest.md"))} and ratios.svg`);

// ratioChart draws the Go/JS ratio of each row as a horizontal bar on a log scale,
// starting at the line at 1.0: right of it Go is slower or bigger (or, for
// throughput, faster). Green: Go does better on that row; red: worse.
function ratioChart(all, date) {
  const items = all.map((r) => ({ ...r, ratio: ratio(r) })).filter((r) => r.chart && r.ratio != null && r.ratio > 0);
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const labelW = 430;
  const plotW = 440;
  const barH = 20;
  const gap = 8;
  const top = 50;
  const ratios = items.map((r) => r.ratio);
  const lo = Math.min(0.25, ...ratios.map((r) => r / 1.2));
  const hi = Math.max(4, ...ratios.map((r) => r * 1.2));
  const lmin = Math.log2(lo);
  const lmax = Math.log2(hi);
  const x = (v) => labelW + ((Math.log2(v) - lmin) / (lmax - lmin)) * plotW;
  const height = top + items.length * (barH + gap) + 40;
  const width = labelW + plotW + 70;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="20" font-size="14" font-weight="bold">Go / JS per measure (log scale; line at 1.0 = same)</text>`);
  out.push(`<text x="10" y="37" fill="#555">npm run bench, ${date.toISOString().slice(0, 10)}; green: Go better, red: Go worse (for throughput, right of 1.0 is better); sizes: see latest.md</text>`);
  for (let e = Math.ceil(lmin); e <= Math.floor(lmax); e++) {
    const v = 2 ** e;
    out.push(`<line x1="${x(v)}" y1="${top - 6}" x2="${x(v)}" y2="${height - 30}" stroke="#ddd"/>`);
    out.push(`<text x="${x(v)}" y="${height - 15}" text-anchor="middle" fill="#555">${v >= 1 ? v : `1/${1 / v}`}</text>`);
  }
  items.forEach((r, i) => {
    const y = top + i * (barH + gap);
    const better = r.lowerIsBetter ? r.ratio < 1 : r.ratio > 1;
    const x0 = Math.min(x(1), x(r.ratio));
    const w = Math.max(1, Math.abs(x(r.ratio) - x(1)));
    out.push(`<text x="${labelW - 8}" y="${y + barH * 0.7}" text-anchor="end">${esc(r.label.trim())}</text>`);
    out.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${better ? "#3a9d5d" : "#d0543f"}"/>`);
    // The figure goes right of the bar, or right of the 1.0 line for bars to its left.
    out.push(`<text x="${(Math.max(x(1), x(r.ratio)) + 4).toFixed(1)}" y="${y + barH * 0.7}">${fmtRatio(r.ratio)}</text>`);
  });
  out.push(`<line x1="${x(1)}" y1="${top - 10}" x2="${x(1)}" y2="${height - 30}" stroke="black" stroke-width="1.5"/>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
