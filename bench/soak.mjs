// npm run soak: the full load and durability run, then a soak, on local workerd
// (Miniflare from node_modules, loopback only, offline). Worker: e2e/loadworker;
// load: e2e/load.mjs (the same as e2e/load.test.mjs, larger).
//
// 1. Load: LOAD_REQUESTS writes (20,000) from 32 connections over 200 objects,
//    mixing SQL, KV, RPC and WebSocket messages: no write may fail, and every
//    object's state must be exactly the acknowledged writes.
// 2. Durability: writes from 32 connections again, and workerd is killed with
//    SIGKILL while they are in flight; a new workerd on the same state must hold
//    every acknowledged write, only writes that were sent, and none by halves.
// 3. Soak: SOAK_SECONDS (300) of steady mixed writes at SOAK_RATE writes/s
//    (50, from 8 connections) on that new workerd, its resident memory
//    (VmRSS) sampled every 10 s. Flat means: the mean of the last minute's
//    samples is within 10% of the mean of the minute after a minute of warm-up.
//    No write may fail, and the state must hold them all.
//
// It prints the figures and writes bench/results/soak.md and soak-rss.svg
// (not committed). It exits non-zero when a write failed, a state check found
// a problem or the memory was not flat.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkTools, fail, offlineEnv, root } from "../scripts/lib.mjs";
import { newestWorkerd, rssKiB } from "../e2e/workerd.mjs";

checkTools();
// npm ci is not run from here: it would replace node_modules under any
// other run that uses it. npm test (or npm ci) installs it.
if (!existsSync(path.join(root, "node_modules", "miniflare"))) fail("node_modules is missing: run npm ci (or npm test) first");
Object.assign(process.env, offlineEnv());
const { startWorker, tempDir } = await import("../e2e/harness.mjs");
const { Ledger, Load, checkState, killDuringLoad, summary } = await import("../e2e/load.mjs");

const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 20_000);
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const SOAK_RATE = Number(process.env.SOAK_RATE ?? 50);
const SOAK_CONNECTIONS = 8;
const SAMPLE_SECONDS = 10;
const WARMUP_SECONDS = 60;
const WINDOW_SECONDS = 60;
const FLAT_LIMIT = 0.1; // the last minute's mean may exceed the first's by 10%
const OBJECTS = 200;
const CONNECTIONS = 32;
const CONFIG = "e2e/loadworker/wrangler.jsonc";
const RESULTS = path.join(root, "bench", "results");

const started = performance.now();
const log = (message) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
  return ok;
};

const build = spawnSync("go", ["run", "./cmd/durable-build", "-config", CONFIG, "./e2e/loadworker"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) fail("durable-build failed for e2e/loadworker (see its output above)");

const [dir, cleanup] = tempDir("durable-soak-");
const prefix = `soak-${Date.now().toString(36)}`;
const ledger = new Ledger();
const lines = []; // for soak.md
const note = (line) => {
  lines.push(line);
  log(line);
};
let server = await startWorker({ config: CONFIG, persist: dir });
let pid = newestWorkerd();
const load = (seed, connections = CONNECTIONS) => new Load(server.url, { objects: OBJECTS, prefix, connections, seed, ledger });

let samples = [];
try {
  // 1. Load.
  log(`load: ${REQUESTS} writes from ${CONNECTIONS} connections over ${OBJECTS} objects`);
  const rssBefore = rssKiB(pid);
  let l = load(1);
  let done = 0;
  const tenth = Math.max(1, Math.round(REQUESTS / 10));
  const run = await l.run({ requests: REQUESTS, phase: "load", onAck: () => ++done % tenth === 0 && log(`  ${done} writes acknowledged`) });
  const rssAfter = rssKiB(pid);
  await l.close();
  note(`load: ${summary(l, run)}`);
  note(`load: workerd RSS ${mib(rssBefore)} MiB before, ${mib(rssAfter)} MiB after`);
  for (const e of l.errors.slice(0, 5)) log(`  failed: ${e.kind} ${e.id} to ${e.object}: ${e.error}`);
  check(l.errors.length === 0, `load: ${l.errors.length} writes failed`);
  let state = checkState(await l.state(), ledger, { exact: true });
  note(`load: state of ${OBJECTS} objects: ${state.present} writes present, ${state.acked} acknowledged; ${state.problems.length} problems`);
  for (const p of state.problems.slice(0, 10)) log(`  ${p}`);
  check(state.problems.length === 0, `load: the state check found ${state.problems.length} problems`);
  check(state.present === REQUESTS, `load: ${state.present} writes present, not ${REQUESTS}`);
  check(l.closes.length === 0, `load: the server closed ${l.closes.length} WebSockets`);

  // 2. Durability.
  l = load(2);
  const kill = await killDuringLoad(l, pid, { after: 1000 });
  await l.close();
  await server.stop();
  note(`kill: ${kill.sent} writes sent, ${kill.acked} acknowledged, ${kill.inFlight} in flight at SIGKILL, ${l.errors.length} failed with it`);
  const t0 = performance.now();
  server = await startWorker({ config: CONFIG, persist: dir });
  pid = newestWorkerd();
  l = load(3);
  state = checkState(await l.state(), ledger, { exact: false });
  await l.close();
  note(
    `restart: a new workerd on the same state in ${((performance.now() - t0) / 1000).toFixed(1)} s (with reading every object): ` +
      `${state.present} writes present, ${state.acked} acknowledged, ${state.sent} sent; ` +
      `${state.unackedApplied} unacknowledged writes applied whole; ${state.problems.length} problems`,
  );
  for (const p of state.problems.slice(0, 10)) log(`  ${p}`);
  check(kill.inFlight > 0, "kill: no write was in flight at SIGKILL");
  check(
    state.problems.length === 0 && state.present >= state.acked && state.present <= state.sent,
    `restart: the state check found ${state.problems.length} problems`,
  );
  const present = state.present;

  // 3. Soak.
  log(`soak: ${SOAK_SECONDS} s at ${SOAK_RATE} writes/s from ${SOAK_CONNECTIONS} connections, workerd ${pid}'s RSS every ${SAMPLE_SECONDS} s`);
  l = load(4, SOAK_CONNECTIONS);
  const soakStart = performance.now();
  const elapsed = () => (performance.now() - soakStart) / 1000;
  let acked = 0;
  const sample = () => {
    const s = { t: Math.round(elapsed()), kib: rssKiB(pid), writes: acked };
    samples.push(s);
    log(`  ${String(s.t).padStart(3)} s  RSS ${mib(s.kib)} MiB  ${s.writes} writes`);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_SECONDS * 1000);
  const soak = await l.run({ until: () => elapsed() >= SOAK_SECONDS, rate: SOAK_RATE, phase: "soak", onAck: () => acked++ });
  clearInterval(timer);
  if (samples.at(-1).t < Math.round(elapsed())) sample();
  note(`soak: ${summary(l, soak)}`);
  check(l.errors.length === 0, `soak: ${l.errors.length} writes failed`);
  check(l.closes.length === 0, `soak: the server closed ${l.closes.length} WebSockets`);
  for (const e of l.errors.slice(0, 5)) log(`  failed: ${e.kind} ${e.id} to ${e.object}: ${e.error}`);
  state = checkState(await l.state(), ledger, { exact: false });
  await l.close();
  note(`soak: state: ${state.present} writes present (${state.present - present} from the soak, ${acked} acknowledged); ${state.problems.length} problems`);
  check(state.problems.length === 0 && state.present === present + acked, "soak: the state does not hold exactly the soak's writes");
} catch (e) {
  // Still write what was measured.
  log(e.stack);
  check(false, `stopped early: ${e.message}`);
} finally {
  await server.stop();
  cleanup();
}

// Memory: flat or not.
const mean = (list) => list.reduce((a, s) => a + s.kib, 0) / list.length;
const end = samples.at(-1)?.t ?? 0;
const first = samples.filter((s) => s.t >= WARMUP_SECONDS && s.t <= WARMUP_SECONDS + WINDOW_SECONDS);
const last = samples.filter((s) => s.t >= end - WINDOW_SECONDS);
let verdict = "too short to judge";
if (first.length > 0 && last.length > 0 && end >= WARMUP_SECONDS + 2 * WINDOW_SECONDS) {
  const growth = mean(last) / mean(first) - 1;
  const flat = growth <= FLAT_LIMIT;
  verdict = `${flat ? "flat" : "NOT flat"}: last minute's mean ${mib(mean(last))} MiB vs ${mib(mean(first))} MiB in the minute after warm-up (${pct(growth)}, limit +${FLAT_LIMIT * 100}%)`;
  check(flat, `soak: memory is not flat (${pct(growth)})`);
} else {
  check(false, `soak: ${end} s is too short to judge the memory (needs ${WARMUP_SECONDS + 2 * WINDOW_SECONDS} s)`);
}
if (samples.length > 0) {
  const max = samples.reduce((a, s) => (s.kib > a.kib ? s : a));
  note(`soak: RSS ${mib(samples[0].kib)} MiB at 0 s → ${mib(samples.at(-1).kib)} MiB at ${end} s (${pct(samples.at(-1).kib / samples[0].kib - 1)}), max ${mib(max.kib)} MiB at ${max.t} s`);
}
note(`soak: memory ${verdict}`);

const seconds = ((performance.now() - started) / 1000).toFixed(0);
const knobs = ["LOAD_REQUESTS", "SOAK_SECONDS", "SOAK_RATE"].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join("");
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  path.join(RESULTS, "soak.md"),
  `# npm run soak

- date: ${new Date().toISOString()}
- machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} at the end
- command: \`${knobs}npm run soak\` (${seconds} s); what each step does: the comment at the top of bench/soak.mjs
- result: ${failures.length === 0 ? "passed" : `FAILED: ${failures.join("; ")}`}

${lines.map((l) => `- ${l}`).join("\n")}

## workerd RSS during the soak (chart: soak-rss.svg)

| s | RSS (MiB) | writes so far |
|---:|---:|---:|
${samples.map((s) => `| ${s.t} | ${mib(s.kib)} | ${s.writes} |`).join("\n")}
`,
);
writeFileSync(path.join(RESULTS, "soak-rss.svg"), chart(samples));
log(`wrote ${path.relative(root, path.join(RESULTS, "soak.md"))} and soak-rss.svg`);
if (failures.length > 0) {
  console.error(`\nsoak failed:\n${failures.map((f) => `  ✗ ${f}`).join("\n")}`);
  process.exit(1);
}
console.error(`\nsoak passed in ${seconds} s`);

function mib(kib) {
  return (kib / 1024).toFixed(1);
}

function pct(x) {
  return `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
}

// chart draws RSS against time from 0 MiB up, so that its slope reads at a
// glance, with the two windows the verdict compares shaded.
function chart(points) {
  const W = 640;
  const H = 300;
  const left = 60;
  const right = 20;
  const top = 40;
  const bottom = 40;
  const tMax = Math.max(SAMPLE_SECONDS, ...points.map((p) => p.t));
  const peak = Math.max(1, ...points.map((p) => p.kib / 1024));
  const step = niceStep(peak * 1.15);
  const yMax = Math.ceil((peak * 1.15) / step) * step;
  const x = (t) => left + (t / tMax) * (W - left - right);
  const y = (m) => top + (1 - m / yMax) * (H - top - bottom);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="20" font-size="14" font-weight="bold">workerd RSS during the soak (MiB; npm run soak, ${new Date().toISOString().slice(0, 10)})</text>`);
  const shade = (a, b) => `<rect x="${x(a).toFixed(1)}" y="${top}" width="${(x(b) - x(a)).toFixed(1)}" height="${H - top - bottom}" fill="#eef3fb"/>`;
  if (tMax >= WARMUP_SECONDS + 2 * WINDOW_SECONDS) {
    out.push(shade(WARMUP_SECONDS, WARMUP_SECONDS + WINDOW_SECONDS));
    out.push(shade(tMax - WINDOW_SECONDS, tMax));
  }
  for (let m = 0; m <= yMax; m += step) {
    out.push(`<line x1="${left}" y1="${y(m)}" x2="${W - right}" y2="${y(m)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(m) + 4}" text-anchor="end" fill="#555">${m}</text>`);
  }
  for (let t = 0; t <= tMax; t += 60) out.push(`<text x="${x(t)}" y="${H - bottom + 16}" text-anchor="middle" fill="#555">${t} s</text>`);
  const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.kib / 1024).toFixed(1)}`).join(" ");
  out.push(`<polyline points="${line}" fill="none" stroke="#2f6db5" stroke-width="2"/>`);
  for (const p of points) out.push(`<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.kib / 1024).toFixed(1)}" r="2.5" fill="#2f6db5"/>`);
  out.push(`<text x="${left}" y="${H - 6}" fill="#555">shaded: the minute after warm-up and the last minute, whose means the verdict compares</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function niceStep(span) {
  const raw = span / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw);
}
