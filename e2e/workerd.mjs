// The workerd process behind a Miniflare server: its pid, to kill it or read
// its memory. Miniflare spawns workerd as a direct child of the Node process
// that made the server, so other workerd processes on the machine do not count.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// newestWorkerd is the pid of the newest workerd process this process started:
// call it right after a server is ready to get that server's.
export function newestWorkerd() {
  try {
    return execFileSync("pgrep", ["-n", "-x", "-P", String(process.pid), "workerd"]).toString().trim();
  } catch {
    throw new Error(`no workerd process is a child of this process (${process.pid}); is a server started?`);
  }
}

// rssKiB is a process's resident memory in KiB: VmRSS in /proc/<pid>/status
// on Linux, ps elsewhere.
export function rssKiB(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString());
  }
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!m) throw new Error(`/proc/${pid}/status has no VmRSS line: has process ${pid} exited?`);
  return Number(m[1]);
}
