// Runtime support for Durable Objects written in Go. Copied next to the generated
// entry module by cmd/durable-build; edit the original in cmd/durable-build.
//
// One Go runtime serves the whole isolate: the front handler and every Durable
// Object instance. It is booted lazily inside the first event (workerd forbids
// the randomness and timers Go's start-up uses at module top level) and booted
// again on the next event after it exited.
//
// workerd ties every JavaScript call to the I/O context of the event on the
// stack, while Go runs whatever goroutines are runnable whenever it is entered.
// So each context (an object instance, or one front request) has a number, and
// each event in flight a pump: an async loop in that event, which Go wakes when
// goroutines wait to call JavaScript in that context, and which enters Go there
// to let them. internal/bridge/doc.go explains the model in full.
import "./wasm_exec.mjs";
import { lifecycleHost, objectAlarm } from "./lifecycle.mjs";
import { rpcHost, serveRPC } from "./rpc.mjs";
import { afterEvent, eventMessage, parkResponseWebSocket, parkedCount, setHold, takeWebSocket, webSocketHost } from "./websocket.mjs";
import { Packer, kvBytes } from "./packer.mjs";
import { storageHost } from "./storage.mjs";
import { cursorCount, cursorHost } from "./cursor.mjs";
import { outboundHost } from "./outbound.mjs";
import { bindingsHost } from "./bindings.mjs";
import { IOContext } from "./contexts.mjs";
import { Timers } from "./timers.mjs";
import { errorDetailsValue, failure, publicly } from "./failure.mjs";

const ROLLBACK = Symbol("rollback");

// A body of known length up to INLINE_BODY bytes crosses into Go whole, in one
// copy; a larger one, or one of unknown length, is streamed: Go reads it on
// demand, in pieces of up to INLINE_BODY bytes (internal/bridge, stream_js.go
// uses the same bound).
const INLINE_BODY = 64 * 1024;
const NOT_YET = Symbol("not yet");
// pendingReads holds, per body reader, a read that host.read started and did
// not wait for; leftovers, bytes read that did not fit Go's window.
const pendingReads = new WeakMap();
const leftovers = new WeakMap();

// The helpers Go calls (internal/bridge). They take and return plain data.
const host = {
  ...storageHost,
  ...cursorHost,
  // sql runs a statement and returns [packed rows, rowsRead, rowsWritten]:
  // column count, column names, then the cells row by row (see Packer.value).
  sql(sql, query, args) {
    const cursor = sql.exec(query, ...args);
    const columns = cursor.columnNames;
    const p = new Packer();
    p.u32(columns.length);
    for (const c of columns) p.string(2, c);
    for (const row of cursor.raw()) for (const v of row) p.value(v);
    return [p.done(), cursor.rowsRead, cursor.rowsWritten];
  },
  kvGet(kv, key) {
    return kvBytes(kv.get(key));
  },
  // kvList returns the entries as packed (key, value) pairs.
  kvList(kv, options) {
    const p = new Packer();
    for (const [key, value] of kv.list(options)) {
      p.string(2, key);
      p.bytes(3, kvBytes(value));
    }
    return p.done();
  },
  // fn returns true to commit; false (Go returned an error or panicked) rolls back.
  transaction(storage, fn) {
    try {
      storage.transactionSync(() => {
        if (!fn()) throw ROLLBACK;
      });
    } catch (e) {
      if (e !== ROLLBACK) throw e;
    }
    return {};
  },
  // stubFetch sends a request to an object. Its body is bytes, null, or a
  // ReadableStream (Go's pipe, or a request body passed on); the answer's body
  // is bytes when it is small and of known length, else its stream (stream).
  async stubFetch(stub, m) {
    const res = await stub.fetch(m.url, { method: m.method, headers: m.headers, body: m.body, signal: m.signal });
    const out = { status: res.status, headers: parkResponseWebSocket(res, [...res.headers]), body: null };
    if (res.body !== null) {
      if (inline(res.headers)) out.body = new Uint8Array(await res.arrayBuffer());
      else out.stream = res.body;
    }
    return out;
  },
  // pipe makes the stream of a body that Go writes: Go writes chunks into
  // writer, each write settling once the reader took the chunk.
  pipe() {
    const { readable, writable } = new TransformStream();
    return { readable, writer: writable.getWriter() };
  },
  // read copies the next bytes of a body stream's reader, at most max, into
  // window, a Uint8Array that Go keeps for the body, and returns how many, or
  // -1 at the end. Go never holds a chunk: syscall/js frees what Go holds only
  // when Go's collector runs, which a Go heap that does not grow rarely does.
  // It gathers what has arrived, so that Go crosses the boundary once per
  // window rather than once per network read, without waiting for more (an
  // event stream's events go through one by one); a read it started and did
  // not wait for, and bytes that did not fit, are kept for the next call.
  async read(reader, window, max) {
    const limit = Math.min(max, window.length);
    let size = 0;
    const take = (chunk) => {
      const n = Math.min(chunk.byteLength, limit - size);
      window.set(chunk.subarray(0, n), size);
      size += n;
      if (n < chunk.byteLength) leftovers.set(reader, chunk.subarray(n));
    };
    const left = leftovers.get(reader);
    leftovers.delete(reader);
    if (left) {
      take(left);
    } else {
      const first = await (pendingReads.get(reader) ?? reader.read());
      pendingReads.delete(reader);
      if (first.done) return -1;
      take(kvBytes(first.value));
    }
    while (size < limit && !leftovers.has(reader)) {
      const next = pendingReads.get(reader) ?? reader.read();
      pendingReads.delete(reader);
      let timer;
      const arrived = await Promise.race([next, new Promise((resolve) => (timer = setTimeout(resolve, 0, NOT_YET)))]);
      clearTimeout(timer);
      if (arrived === NOT_YET || arrived.done) {
        pendingReads.set(reader, next);
        break;
      }
      take(kvBytes(arrived.value));
    }
    return size;
  },
  // write sends the first n bytes of window, which Go fills and reuses, into
  // a body stream Go writes; the promise settles once the reader took them.
  write(writer, window, n) {
    return writer.write(window.slice(0, n));
  },
  // cancel stops a body stream (or its reader) that will not be read further.
  cancel(stream) {
    stream.cancel().catch(() => {});
  },
  // end closes a body Go wrote, or aborts it when reason is given.
  end(writer, reason) {
    const ended = reason === undefined ? writer.close() : writer.abort(new Error(reason));
    ended.catch(() => {});
  },
  ...webSocketHost,
  ...rpcHost,
  ...outboundHost,
  ...bindingsHost,
};

// The live runtime, for the helpers of lifecycle.mjs.
let liveRuntime;

// Go writes why it ends (an unrecovered panic, a fatal error such as running
// out of memory) to standard error, which wasm_exec.js sends to the console;
// the live runtime keeps the last such line, so that the events it fails say
// why. Only that line is looked at, and a panic's line is not repeated to
// clients (its value is the program's); the stack goes to the log only.
const writeSync = globalThis.fs.writeSync.bind(globalThis.fs);
const stderrDecoder = new TextDecoder();
let stderrLine = "";
globalThis.fs.writeSync = (fd, buf) => {
  if (fd === 2 && liveRuntime) {
    const lines = (stderrLine + stderrDecoder.decode(buf, { stream: true })).split("\n");
    stderrLine = lines.pop().slice(-1024);
    for (const line of lines) {
      if (line.startsWith("panic: ") || line.startsWith("fatal error: ")) liveRuntime.fatal = line;
    }
  }
  return writeSync(fd, buf);
};

// exitReason says in words why Go exited with code, given the last fatal
// line it wrote.
function exitReason(code, fatal) {
  if (fatal === "fatal error: out of memory") return "it ran out of memory (a wasm32 program has at most 4 GiB)";
  if (fatal.startsWith("fatal error: ")) return fatal;
  if (fatal.startsWith("panic: ")) return "a goroutine panicked and nothing recovered it";
  return `the program called os.Exit(${code})`;
}

Object.assign(host, lifecycleHost(() => liveRuntime));

// stats counts what this side keeps for the live runtime, for the tests that
// look for leaks (bridge.ReadStats): JavaScript values Go holds references
// to, contexts, events in flight (pumps), Go wake-ups, parked WebSockets and
// open SQL cursors. It answers the same object every time, so that reading
// the census does not add to the values Go holds.
const census = {};
host.stats = () => {
  const rt = liveRuntime;
  let pumps = 0;
  for (const ctx of rt.contexts.values()) pumps += ctx.pumps.size;
  return Object.assign(census, {
    values: rt.go._values.length - rt.go._idPool.length,
    contexts: rt.contexts.size,
    pumps,
    timers: rt.timers.due.size,
    parked: parkedCount(),
    cursors: cursorCount(),
  });
};

class GoRuntime {
  static async boot(module, options) {
    const go = new Go();
    go.argv = ["worker"];
    go.env = {};
    const runtime = new GoRuntime(go);
    const imports = go.importObject.gojs;
    imports["runtime.scheduleTimeoutEvent"] = (sp) => {
      sp >>>= 0;
      const delay = go.mem.getUint32(sp + 8, true) + go.mem.getInt32(sp + 12, true) * 4294967296;
      go.mem.setInt32(sp + 16, runtime.timers.schedule(delay), true);
    };
    imports["runtime.clearTimeoutEvent"] = (sp) => {
      sp >>>= 0;
      runtime.timers.clear(go.mem.getInt32(sp + 8, true));
    };
    const instance = await WebAssembly.instantiate(module, go.importObject);
    // Every entry into Go starts with no context known (unless resumeAs says
    // which); the Go function entered sets its own. A nested entry restores
    // the outer context when it returns.
    const resume = go._resume.bind(go);
    go._resume = () => {
      const slot = runtime.slot;
      const outer = slot ? go.mem.getInt32(slot, true) : 0;
      if (slot) go.mem.setInt32(slot, runtime.entering, true);
      runtime.entering = 0;
      try {
        resume();
      } finally {
        if (slot && !go.exited) go.mem.setInt32(slot, outer, true);
      }
    };
    globalThis.__durableGo = undefined;
    globalThis.__durableHost = host;
    setHold(async (id, conn) => runtime.contexts.get(id)?.serve("wsHold", conn));
    // run() returns once main blocks in workerd.Serve; its promise settles only at exit.
    runtime.enter(() => go.run(instance).catch((e) => console.error("Go runtime failed:", e)));
    // The exit promise belongs to the first event's context, long gone when Go
    // exits; die() reports the exit instead.
    go._resolveExitPromise = () => {};
    runtime.api = globalThis.__durableGo;
    globalThis.__durableGo = undefined;
    if (go.exited || !runtime.api) {
      throw new Error("the Go program ended before calling workerd.Serve: main must end with workerd.Serve(...)");
    }
    liveRuntime = runtime;
    runtime.slot = runtime.api.init(
      (id) => runtime.wakeContext(id),
      options.routing,
      options.errorDetails,
    );
    return runtime;
  }

  constructor(go) {
    this.go = go;
    this.slot = 0; // address of Go's current-context variable
    this.entering = 0; // the context the next entry into Go runs in, if known
    this.contexts = new Map(); // context id → IOContext
    this.active = new Set(); // contexts with events in flight
    this.nextContext = 1;
    this.timers = new Timers(this);
    this.dead = null;
    this.fatal = ""; // the last "panic: …" or "fatal error: …" line Go wrote
    // Go calls exit when the program ends, e.g. after a panic on a goroutine that
    // no handler recovered: fail every event still waiting on it, saying why
    // (in the runtime's own words: a panic's value stays in the log).
    go.exit = (code) => {
      const why = exitReason(code, this.fatal);
      this.die(
        publicly(
          new Error(`the Go runtime exited with code ${code}: ${why}; the log above shows why`),
          `the Go runtime exited while serving this request (${why}); the next request starts it again`,
        ),
      );
    };
  }

  get alive() {
    return !this.go.exited && !this.dead;
  }

  // die fails every event in flight, each in its own context (a promise of
  // one context settled from another may never run its continuation).
  die(err) {
    if (this.dead) return;
    this.dead = err;
    for (const ctx of this.active) {
      for (const pump of ctx.pumps) pump.post(() => pump.fail?.(err));
    }
  }

  // enter runs code that enters Go and turns a trap of the WebAssembly instance
  // (out of memory, stack exhaustion) into the end of this runtime.
  enter(fn) {
    try {
      return fn();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        console.error("durable: the Go runtime crashed:", e);
        this.die(publicly(new Error(`the Go runtime crashed (${e.message}); the log above shows why`), "the Go runtime crashed while serving this request; the next request starts it again"));
      }
      // When the program exited during this call, what JavaScript threw on
      // the way out (wasm_exec.js reading the gone instance) says less than
      // why it exited.
      if (this.dead) throw this.dead;
      throw e;
    }
  }

  // current is the context Go runs in now, as Go knows it (0: not known).
  current() {
    return this.slot && !this.go.exited ? this.go.mem.getInt32(this.slot, true) : 0;
  }

  // resumeAs enters Go for its timers in the context ctxID, which the caller
  // runs in.
  resumeAs(ctxID) {
    this.entering = ctxID;
    this.go._resume();
  }

  newContext() {
    const ctx = new IOContext(this, this.nextContext++);
    this.contexts.set(ctx.id, ctx);
    return ctx;
  }

  wakeContext(id) {
    const ctx = this.contexts.get(id);
    if (!ctx) return false;
    ctx.drain = true;
    ctx.wake();
    return true;
  }

  // call invokes a Go entry point for the event of pump, which reports through
  // resolve/reject callbacks.
  call(pump, name, ...args) {
    return new Promise((resolve, reject) => {
      if (!this.alive) return reject(this.dead ?? new Error("the Go runtime exited"));
      const fail = (e) => {
        pump.fail = null;
        reject(e);
      };
      pump.fail = fail;
      const ok = (value) => {
        pump.fail = null;
        resolve(value);
      };
      try {
        this.enter(() => this.api[name](...args, ok, fail));
      } catch (e) {
        fail(e);
      }
    });
  }
}

// When workerd drops an object instance (eviction), Go forgets it too, so the
// registry of objects does not grow without bound.
const objectsGone =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry(({ runtime, id }) => {
        runtime.contexts.delete(id);
        if (runtime.alive) runtime.enter(() => runtime.api.closeContext(id));
      })
    : null;

function inline(headers) {
  const length = headers.get("content-length");
  return length !== null && length !== "" && Number(length) <= INLINE_BODY;
}

async function requestMessage(request) {
  const m = { method: request.method, url: request.url, headers: [...request.headers], body: null, signal: request.signal };
  m.cf = request.cf; // for durable.CF (outbound.mjs, internal/bridge/outbound_js.go)
  if (request.body !== null) {
    if (inline(request.headers)) m.body = new Uint8Array(await request.arrayBuffer());
    else m.stream = request.body;
  }
  return m;
}

function toResponse(m) {
  const headers = new Headers();
  for (const [name, value] of m.headers) headers.append(name, value);
  const webSocket = takeWebSocket(m.status, headers);
  return new Response(m.body, { status: m.status, headers, webSocket });
}

// answer runs the Go call of an event, serve(), and returns the event's
// Response and serve's promise, done. Go either resolves done with the whole
// response, or streams it: it calls message.respond with the head and a body
// stream it goes on writing, and resolves done (with null) only when the body
// is closed, so the event and its pump stay in flight while Go writes. Should
// done fail after the head went, the body is aborted.
function answer(message, serve) {
  let done;
  const response = new Promise((resolve, reject) => {
    let writer;
    message.respond = (head) => {
      try {
        resolve(toResponse(head));
      } catch (e) {
        reject(e);
        return false;
      }
      writer = head.writer;
      return true;
    };
    done = serve();
    done.then(
      (m) => {
        try {
          if (m) resolve(toResponse(m));
          else if (!writer) reject(new Error("the Go handler sent no response"));
        } catch (e) {
          reject(e);
        }
      },
      (e) => {
        writer?.abort(e).catch(() => {});
        reject(e);
      },
    );
  });
  return { response, done };
}

// Program is one compiled Go Worker program: one Go runtime for the isolate.
export class Program {
  constructor(module) {
    this.module = module;
    this.booting = undefined;
    this.runtime = undefined;
  }

  // runtimeFor returns the live runtime, booting one when there is none or the
  // last one exited. Concurrent first events share one boot.
  runtimeFor(env) {
    if (!this.booting || (this.runtime && !this.runtime.alive)) {
      this.runtime = undefined;
      // DURABLE_UNSAFE_ROUTING=off runs every call in whatever context is on the
      // stack: only for the test that shows why routing exists.
      const options = { routing: env?.DURABLE_UNSAFE_ROUTING !== "off", errorDetails: errorDetailsValue(env) };
      this.booting = GoRuntime.boot(this.module, options).then(
        (runtime) => (this.runtime = runtime),
        (e) => {
          this.booting = undefined;
          throw e;
        },
      );
    }
    return this.booting;
  }

  async fetch(request, env) {
    try {
      const message = await requestMessage(request);
      const runtime = this.runtime?.alive ? this.runtime : await this.runtimeFor(env);
      const ctx = runtime.newContext();
      // The request's context is forgotten when Go is done with it, which for a
      // streamed response is after its body: when the Go call settles, not
      // after serve's wait for the pumps (contexts.mjs), which a request that
      // has ended may never see end.
      let forgotten = false;
      const forget = () => {
        if (forgotten) return;
        forgotten = true;
        runtime.contexts.delete(ctx.id);
        if (runtime.alive) runtime.enter(() => runtime.api.closeContext(ctx.id));
      };
      ctx.onCallEnd = forget;
      const { response, done } = answer(message, () => ctx.serve("front", message, env));
      done.then(forget, forget);
      return await response;
    } catch (e) {
      return failure(e, env);
    }
  }

  // contextOf returns the context of a Durable Object instance in the live
  // runtime, registering the instance with Go the first time.
  async contextOf(object, className) {
    // A live runtime is used without awaiting the boot promise: that promise
    // belongs to the event that booted it, and following it from another
    // event hands this one that event's async context.
    const runtime = this.runtime?.alive ? this.runtime : await this.runtimeFor(object.env);
    let ctx = object.__durableContext;
    if (ctx?.runtime !== runtime) {
      ctx = runtime.newContext();
      const err = runtime.enter(() => runtime.api.newObject(ctx.id, className, object.ctx, object.env));
      if (err) {
        runtime.contexts.delete(ctx.id);
        throw new Error(err);
      }
      ctx.state = object.ctx; // for lifecycle.mjs
      object.__durableContext = ctx;
      objectsGone?.register(object, { runtime, id: ctx.id });
    }
    return ctx;
  }

  // rpc runs an RPC call on a Go object (rpc.mjs).
  rpc(object, className, method, args) {
    return serveRPC(this, object, className, method, args);
  }

  alarm(object, className, alarmInfo) {
    return objectAlarm(this, object, className, alarmInfo);
  }

  async objectFetch(object, className, request) {
    try {
      const message = await requestMessage(request);
      const ctx = await this.contextOf(object, className);
      return await answer(message, () => ctx.serve("objectFetch", message)).response;
    } catch (e) {
      return failure(e, object.env);
    }
  }

  // webSocketEvent runs a hibernatable WebSocket event (websocket.mjs) in Go;
  // a failure is the event's exception, which workerd logs.
  async webSocketEvent(object, className, kind, ws, ...args) {
    try {
      const ctx = await this.contextOf(object, className);
      await ctx.serve("webSocket", eventMessage(kind, ws, ...args));
    } finally {
      afterEvent(kind, ws, ...args);
    }
  }
}
