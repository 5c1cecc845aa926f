// Runtime support for Durable Objects written in Go. Copied next to the generated
// entry module by cmd/durable-build; edit the original in cmd/durable-build.
//
// Each Durable Object instance gets a Go runtime of its own, and the front worker
// one more, booted lazily inside the first event (workerd forbids the randomness
// and timers Go's start-up uses at module top level). A runtime that exited is
// booted again on the next event.
import "./wasm_exec.mjs";

const encoder = new TextEncoder();
const ROLLBACK = Symbol("rollback");

// kvBytes turns a stored KV value into bytes for Go: bytes as they are, strings as
// UTF-8, any other value (written by JavaScript code) as its JSON text.
function kvBytes(value) {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

// The helpers Go calls (internal/bridge). They take and return plain data.
globalThis.__durableHost = {
  sql(sql, query, args) {
    const cursor = sql.exec(query, ...args);
    const columns = cursor.columnNames;
    const rows = cursor.raw().toArray();
    return { columns, rows, rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten };
  },
  kvGet(kv, key) {
    return kvBytes(kv.get(key));
  },
  kvList(kv, options) {
    const keys = [];
    const values = [];
    for (const [key, value] of kv.list(options)) {
      keys.push(key);
      values.push(kvBytes(value));
    }
    return { keys, values };
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
  async stubFetch(stub, m) {
    const res = await stub.fetch(m.url, { method: m.method, headers: m.headers, body: m.body, signal: m.signal });
    const body = res.body === null ? null : new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: [...res.headers], body };
  },
};

class GoRuntime {
  static async boot(module) {
    const go = new Go();
    go.argv = ["worker"];
    go.env = {};
    const runtime = new GoRuntime(go);
    const instance = await WebAssembly.instantiate(module, go.importObject);
    globalThis.__durableGo = undefined;
    // run() returns once main blocks in workerd.Serve; its promise settles only at exit.
    go.run(instance).catch((e) => console.error("Go runtime failed:", e));
    runtime.api = globalThis.__durableGo;
    globalThis.__durableGo = undefined;
    if (go.exited || !runtime.api) {
      throw new Error("the Go program ended before calling workerd.Serve: main must end with workerd.Serve(...)");
    }
    return runtime;
  }

  constructor(go) {
    this.go = go;
    this.pending = new Set();
    // Go calls exit when the program ends, e.g. after a panic on a goroutine that
    // no handler recovered: fail the events still waiting on it.
    go.exit = (code) => {
      const err = new Error(`the Go runtime exited with code ${code}; the log above shows why`);
      for (const fail of this.pending) fail(err);
      this.pending.clear();
    };
  }

  get alive() {
    return !this.go.exited;
  }

  // call invokes a Go entry point that reports through resolve/reject callbacks.
  call(name, ...args) {
    return new Promise((resolve, reject) => {
      const fail = (e) => {
        this.pending.delete(fail);
        reject(e);
      };
      this.pending.add(fail);
      try {
        this.api[name](...args, (value) => {
          this.pending.delete(fail);
          resolve(value);
        }, fail);
      } catch (e) {
        fail(e);
      }
    });
  }
}

// runtimeOf returns the live runtime of a holder, booting one when there is none
// or the last one exited. Concurrent first events share one boot.
function runtimeOf(holder, module) {
  if (!holder.booting || (holder.runtime && !holder.runtime.alive)) {
    holder.runtime = undefined;
    holder.booting = GoRuntime.boot(module).then(
      (runtime) => (holder.runtime = runtime),
      (e) => {
        holder.booting = undefined;
        throw e;
      },
    );
  }
  return holder.booting;
}

async function requestMessage(request) {
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return { method: request.method, url: request.url, headers: [...request.headers], body, signal: request.signal };
}

function toResponse(m) {
  const headers = new Headers();
  for (const [name, value] of m.headers) headers.append(name, value);
  return new Response(m.body, { status: m.status, headers });
}

function failure(e) {
  console.error("durable:", e);
  return new Response(`Internal Server Error: ${e?.message ?? e}\n`, {
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

// Program is one compiled Go Worker program.
export class Program {
  constructor(module) {
    this.module = module;
    this.front = {};
    this.objects = new WeakMap();
  }

  async fetch(request, env) {
    try {
      const message = await requestMessage(request);
      const runtime = await runtimeOf(this.front, this.module);
      return toResponse(await runtime.call("front", message, env));
    } catch (e) {
      return failure(e);
    }
  }

  async objectFetch(object, className, request) {
    try {
      const message = await requestMessage(request);
      let holder = this.objects.get(object);
      if (!holder) this.objects.set(object, (holder = {}));
      const runtime = await runtimeOf(holder, this.module);
      if (holder.handleRuntime !== runtime) {
        const handle = runtime.api.newObject(className, object.ctx, object.env);
        if (typeof handle === "string") throw new Error(handle);
        holder.handle = handle;
        holder.handleRuntime = runtime;
      }
      return toResponse(await runtime.call("objectFetch", holder.handle, message));
    } catch (e) {
      return failure(e);
    }
  }
}
