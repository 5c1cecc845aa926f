// Load on the Worker of e2e/loadworker, shared by e2e/load.test.mjs (a bounded
// run in npm test) and bench/soak.mjs (the full run and the soak).
//
// Every operation is one write with an id of its own, sent one of four ways to
// one of the objects: POST /sql/{object}?w={id}, POST /kv/{object}?w={id},
// POST /rpc/{object}?w={id} (the front handler calls the object by RPC), or the
// id as a message on the object's hibernatable WebSocket. Its answer is its
// acknowledgement: a 200 or an "ok {id} {count}" reply. The client records
// which ids it sent and which were acknowledged, so that the objects' state can
// be checked against it exactly (checkState).
//
// HTTP goes over a keep-alive agent of `connections` sockets, with that many
// operations in flight at once; WebSocket messages go over one socket per
// object, opened on first use and shared by the loops.
import http from "node:http";
import WebSocket from "ws";

export const KINDS = ["sql", "kv", "rpc", "ws"];

// mulberry32 is a small seeded generator: the same seed gives the same mix.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Ledger is what the client knows: every write sent (id → object and kind)
// and the ids acknowledged. Several Loads (one per server) may share one.
export class Ledger {
  sent = new Map();
  acked = new Set();
}

// Load drives one server. Close it to drop its sockets.
export class Load {
  constructor(url, { objects, prefix, connections = 32, seed = 1, ledger = new Ledger() }) {
    this.url = new URL(url);
    this.objects = Array.from({ length: objects }, (_, i) => `${prefix}-${i}`);
    this.prefix = prefix;
    this.connections = connections;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    this.random = mulberry32(seed);
    this.ledger = ledger;
    this.sockets = new Map(); // object → Promise<Socket>
    this.seq = 0;
    this.errors = []; // { id, object, kind, error, at: seconds into the run }
    this.retries = []; // { method, path, error }: requests sent again (see request)
    this.ms = Object.fromEntries(KINDS.map((k) => [k, []])); // acknowledged writes' latencies by kind
    this.inFlight = 0;
    this.closes = []; // { object, code, reason, at }: WebSockets the server closed
  }

  // run sends writes from `connections` loops, each one write at a time, until
  // `requests` writes were sent or `until()` says stop (checked before each
  // write). rate (writes/s over all loops) paces them; 0 is as fast as they
  // go; a loop that falls behind does not catch up in a burst. onAck runs
  // after each acknowledgement. A write that fails is recorded in errors. It
  // returns the writes sent and the seconds it took.
  async run({ requests = Infinity, until = () => false, rate = 0, phase = "w", timeoutMs = 60_000, onAck }) {
    const started = performance.now();
    let issued = 0;
    const interval = rate > 0 ? (1000 * this.connections) / rate : 0;
    const loop = async (k) => {
      let next = started + (interval * k) / this.connections;
      while (issued < requests && !until()) {
        if (interval) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          next = Math.max(next, performance.now()) + interval;
          if (until()) break;
        }
        issued++;
        const op = this.next(phase);
        const t = performance.now();
        this.inFlight++;
        try {
          await this.write(op, timeoutMs);
          this.inFlight--;
          this.ms[op.kind].push(performance.now() - t);
          this.ledger.acked.add(op.id);
          onAck?.(op);
        } catch (e) {
          this.inFlight--;
          this.errors.push({ ...op, error: e.message, at: (performance.now() - started) / 1000 });
        }
      }
    };
    await Promise.all(Array.from({ length: this.connections }, (_, k) => loop(k)));
    return { sent: issued, seconds: (performance.now() - started) / 1000 };
  }

  // next picks the next write: a random object and kind.
  next(phase) {
    const object = this.objects[Math.floor(this.random() * this.objects.length)];
    const kind = KINDS[Math.floor(this.random() * KINDS.length)];
    return { id: `${this.prefix}-${phase}-${this.seq++}`, object, kind };
  }

  // write sends one write and resolves when it is acknowledged. It is in
  // the ledger's sent map before the first byte leaves.
  async write(op, timeoutMs = 60_000) {
    this.ledger.sent.set(op.id, { object: op.object, kind: op.kind });
    if (op.kind === "ws") {
      const socket = await this.socket(op.object);
      return socket.send(op.id, timeoutMs);
    }
    const { status, text } = await this.request("POST", `/${op.kind}/${op.object}?w=${encodeURIComponent(op.id)}`, timeoutMs);
    if (status !== 200) throw new Error(`${op.kind} ${op.id}: ${status} ${text}`);
  }

  // request sends one request and resolves with its status and text. A
  // request whose connection the server closed before any answer came
  // (ECONNRESET, "socket hang up": workerd does that to connections when it
  // stalls for seconds, see the README's limits) is sent again, up to 5
  // times in all, as HTTP clients do with kept-alive connections: reads are
  // safe to repeat, and writes are idempotent by id. Each retry is counted in
  // retries. A refused connection (no server) or a timeout is not retried.
  async request(method, path, timeoutMs = 60_000) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce(method, path, timeoutMs);
      } catch (e) {
        if (!(e.code === "ECONNRESET" || e.code === "EPIPE") || attempt === 5) throw e;
        this.retries.push({ method, path, error: e.message, reusedSocket: e.reusedSocket });
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  requestOnce(method, path, timeoutMs) {
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(path, this.url), { method, agent: this.agent, timeout: timeoutMs, headers: { "content-length": "0" } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode, text }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.on("error", (e) => {
        e.reusedSocket = req.reusedSocket;
        reject(e);
      });
      req.end();
    });
  }

  socket(object) {
    let s = this.sockets.get(object);
    if (!s) {
      const wsURL = new URL(`/ws/${object}`, this.url);
      wsURL.protocol = "ws:";
      const started = performance.now();
      // A socket that closes (or fails to open) is opened again on next use;
      // a close the client did not ask for is counted in closes.
      s = Socket.open(wsURL.href, (code, reason) => {
        if (this.sockets.get(object) === s) this.sockets.delete(object);
        if (!this.closing) this.closes.push({ object, code, reason, at: (performance.now() - started) / 1000 });
      });
      this.sockets.set(object, s);
      s.catch(() => this.sockets.get(object) === s && this.sockets.delete(object));
    }
    return s;
  }

  // state reads every object's state, `connections` at a time.
  async state() {
    const out = new Map();
    let next = 0;
    const loop = async () => {
      while (next < this.objects.length) {
        const object = this.objects[next++];
        const { status, text } = await this.request("GET", `/state/${object}`);
        if (status !== 200) throw new Error(`state of ${object}: ${status} ${text}`);
        out.set(object, JSON.parse(text));
      }
    };
    await Promise.all(Array.from({ length: this.connections }, loop));
    return out;
  }

  async close() {
    this.closing = true;
    const sockets = await Promise.allSettled([...this.sockets.values()]);
    for (const s of sockets) if (s.status === "fulfilled") s.value.close();
    this.sockets.clear();
    this.agent.destroy();
  }
}

// Socket is one WebSocket to an object, with the writes waiting for their reply.
class Socket {
  static open(url, onClose) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("open", () => resolve(new Socket(ws)));
      ws.once("error", reject);
      ws.once("close", (code, reason) => onClose(code, String(reason)));
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.waiting = new Map(); // id → { resolve, reject, timer }
    ws.on("message", (data) => {
      const [verdict, id, ...rest] = String(data).split(" ");
      const w = this.waiting.get(id);
      if (!w) return;
      this.waiting.delete(id);
      clearTimeout(w.timer);
      if (verdict === "ok") w.resolve(Number(rest[0]));
      else w.reject(new Error(`ws ${id}: ${String(data)}`));
    });
    const fail = (why) => {
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer);
        w.reject(new Error(`ws ${id}: ${why}`));
      }
      this.waiting.clear();
    };
    ws.on("close", (code, reason) => fail(`socket closed (${code} ${reason})`));
    ws.on("error", (e) => fail(`socket error: ${e.message}`));
  }

  send(id, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new Error(`ws ${id}: socket is not open`));
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`ws ${id}: no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.ws.send(id);
    });
  }

  close() {
    this.ws.terminate();
  }
}

// checkState compares the objects' state with the ledger and returns what is
// wrong (an empty list when all is well), and the tallies.
//
// Always: each kind's counter equals its rows in the log, and the KV keys are
// the log's KV writes (a write applied by halves breaks one of these); every
// logged id was sent, to that object, as that kind; every acknowledged id is
// logged. With exact, the log holds the acknowledged ids and nothing else.
export function checkState(states, ledger, { exact }) {
  const problems = [];
  let present = 0;
  let unackedApplied = 0;
  const logged = new Set();
  for (const [object, s] of states) {
    for (const kind of new Set([...KINDS, ...Object.keys(s.counts), ...Object.keys(s.log)])) {
      const n = s.counts[kind] ?? 0;
      const rows = s.log[kind] ?? [];
      if (n !== rows.length) problems.push(`${object}: counter ${kind} is ${n} but the log has ${rows.length} ${kind} writes`);
      for (const id of rows) {
        logged.add(id);
        present++;
        const sent = ledger.sent.get(id);
        if (!sent) problems.push(`${object}: write ${id} is logged but was never sent`);
        else if (sent.object !== object || sent.kind !== kind) problems.push(`${object}: write ${id} is logged as ${kind} but was sent to ${sent.object} as ${sent.kind}`);
        if (!ledger.acked.has(id)) {
          unackedApplied++;
          if (exact) problems.push(`${object}: write ${id} is logged but was not acknowledged`);
        }
      }
    }
    const kv = [...s.kv].sort();
    const kvLog = [...(s.log.kv ?? [])].sort();
    if (kv.join() !== kvLog.join()) problems.push(`${object}: KV holds ${kv.length} write keys, the log ${kvLog.length} KV writes: ${diff(kv, kvLog)}`);
  }
  for (const id of ledger.acked) {
    if (!logged.has(id)) problems.push(`write ${id} (${ledger.sent.get(id)?.kind} to ${ledger.sent.get(id)?.object}) was acknowledged but is not logged`);
  }
  return { problems, present, acked: ledger.acked.size, sent: ledger.sent.size, unackedApplied };
}

function diff(a, b) {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = a.filter((x) => !sb.has(x)).slice(0, 3);
  const onlyB = b.filter((x) => !sa.has(x)).slice(0, 3);
  return `only in KV: ${onlyA.join(", ") || "none"}; only in the log: ${onlyB.join(", ") || "none"}`;
}

// killDuringLoad runs writes from every loop of load and, once `after` of
// them were acknowledged (or afterMs passed), kills the workerd process pid
// with SIGKILL while the others are in flight. The writes that fail then are
// in load.errors. It returns how many writes were sent and acknowledged, and
// how many were in flight at the kill.
export async function killDuringLoad(load, pid, { after = 200, afterMs = 20_000, phase = "kill" } = {}) {
  const sent0 = load.ledger.sent.size;
  let acked = 0;
  let inFlight = -1;
  const kill = () => {
    if (inFlight >= 0) return;
    clearTimeout(timer);
    inFlight = load.inFlight;
    process.kill(Number(pid), "SIGKILL");
  };
  const timer = setTimeout(kill, afterMs);
  await load.run({ phase, until: () => inFlight >= 0, onAck: () => ++acked >= after && kill() });
  kill(); // in case every loop ended before
  return { sent: load.ledger.sent.size - sent0, acked, inFlight };
}

// summary is one line of figures for a run: writes/s and latencies by kind.
export function summary(load, { sent, seconds }) {
  const q = (a, p) => (a.length ? [...a].sort((x, y) => x - y)[Math.ceil(p * a.length) - 1].toFixed(0) : "-");
  const kinds = KINDS.map((k) => `${k} ${load.ms[k].length} (p50 ${q(load.ms[k], 0.5)} ms, p99 ${q(load.ms[k], 0.99)} ms)`);
  const why = new Map();
  for (const e of load.errors) {
    const key = e.error.replace(/^(sql|kv|rpc|ws) \S+: /, "");
    const w = why.get(key) ?? { n: 0, first: Infinity, last: 0 };
    why.set(key, { n: w.n + 1, first: Math.min(w.first, e.at), last: Math.max(w.last, e.at) });
  }
  const errors = [...why].map(([k, w]) => `${w.n} × "${k}" (${w.first.toFixed(0)}–${w.last.toFixed(0)} s)`).join(", ");
  const closes = load.closes.map((c) => `${c.object} after ${c.at.toFixed(0)} s open: ${c.code} ${c.reason}`.trim()).join(", ");
  return `${sent} writes from ${load.connections} connections over ${load.objects.length} objects in ${seconds.toFixed(1)} s: ${(sent / seconds).toFixed(0)} writes/s, ${load.errors.length} errors${errors ? ` (${errors})` : ""}, ${load.closes.length} WebSockets closed by the server${closes ? ` (${closes})` : ""}, ${load.retries.length} requests sent again after the server closed their connection with no answer (${load.retries.filter((r) => r.reusedSocket).length} of them kept-alive); ${kinds.join(", ")}`;
}
