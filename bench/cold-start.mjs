// node bench/cold-start.mjs [STARTS] [go-config ...]: row 7 of npm run bench
// alone, for checking what a change does to cold start without the hour of
// the full bench: a new workerd process (a new Miniflare) to the first response
// of GET /plain/{name}, the JavaScript bench Worker and each Go build given
// (default bench/worker/wrangler.jsonc, built beforehand) started in turn, so
// that the machine's load hits all alike. Prints the median of STARTS (default
// 7) per Worker, split as run.mjs splits it, and each Go build's ratio to
// JavaScript. Several Go configurations (say, copies of build/ from before and
// after a change) compare builds in one run. On Linux it also prints the CPU
// time workerd spent by the first response (user + system, all its threads,
// from /proc): on a loaded machine, wall time grows with other processes'
// work, CPU time much less. Miniflare's own CPU time in this process
// (reading the modules and handing them to workerd) is printed apart: it is
// local tooling, not part of a cold start on Cloudflare.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { offlineEnv, root } from "../scripts/lib.mjs";

Object.assign(process.env, offlineEnv());
const { startWorker } = await import("../e2e/harness.mjs");

const STARTS = Number(process.argv[2] ?? 7);
const goConfigs = process.argv.length > 3 ? process.argv.slice(3) : ["bench/worker/wrangler.jsonc"];
const workers = [{ label: "JavaScript", config: "bench/worker.js.jsonc" }, ...goConfigs.map((c) => ({ label: `Go ${c}`, config: path.resolve(c) }))];
const times = new Map(workers.map((w) => [w.label, { ready: [], first: [], total: [], cpu: [], node: [] }]));

// cpuMs is the CPU time of the newest workerd this process started (Miniflare
// spawns it as a direct child), or NaN where /proc is missing.
function cpuMs() {
  try {
    const pid = execFileSync("pgrep", ["-n", "-x", "-P", String(process.pid), "workerd"]).toString().trim();
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in 1/100 s
  } catch {
    return NaN;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The console output of a started workerd is noise here.
const quiet = { log: console.log, error: console.error };
for (let s = 0; s < STARTS; s++) {
  for (const w of workers) {
    console.log = console.error = () => {};
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const server = await startWorker({ config: w.config });
    const t1 = performance.now();
    try {
      const res = await server.fetch(`/plain/cold-${s}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${w.label}: ${res.status} ${text}`);
      const t2 = performance.now();
      const t = times.get(w.label);
      t.cpu.push(cpuMs());
      const c = process.cpuUsage(c0);
      t.node.push((c.user + c.system) / 1000);
      t.ready.push(t1 - t0);
      t.first.push(t2 - t1);
      t.total.push(t2 - t0);
    } finally {
      await server.stop();
      Object.assign(console, quiet);
    }
  }
  console.error(`start ${s + 1}/${STARTS} done`);
}

const js = median(times.get("JavaScript").total);
const jsCPU = median(times.get("JavaScript").cpu);
console.log(`cold start, median of ${STARTS} (ms): total = workerd ready + first request, ratio to JavaScript's; workerd CPU time by the first response, ratio; Miniflare's CPU time`);
for (const w of workers) {
  const t = times.get(w.label);
  const total = median(t.total);
  const cpu = median(t.cpu);
  console.log(
    `${w.label.padEnd(40)} ${total.toFixed(0).padStart(6)} = ${median(t.ready).toFixed(0).padStart(5)} + ${median(t.first).toFixed(0).padStart(4)}  ${(total / js).toFixed(2)}×   cpu ${cpu.toFixed(0).padStart(5)}  ${(cpu / jsCPU).toFixed(2)}×   miniflare ${median(t.node).toFixed(0).padStart(5)}`,
  );
}
