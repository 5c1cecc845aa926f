// The helpers Go calls for the Worker's bindings beyond Durable Objects
// (internal/bridge: workerskv_js.go, ...). They take and return plain data;
// each runs in the I/O context of the event Go runs it for.

import { Packer } from "./packer.mjs";

export const bindingsHost = {
  // Workers KV. Values cross as bytes; metadata as JSON text.
  async workersKVGet(ns, key) {
    const v = await ns.get(key, "arrayBuffer");
    return v === null ? null : new Uint8Array(v);
  },
  workersKVPut(ns, key, value, opts) {
    if (opts.metadata !== undefined) opts.metadata = JSON.parse(opts.metadata);
    return ns.put(key, value, opts);
  },
  workersKVDelete(ns, key) {
    return ns.delete(key);
  },
  async workersKVList(ns, opts) {
    const r = await ns.list(opts);
    const keys = r.keys.map((k) => ({
      name: k.name,
      expiration: k.expiration,
      metadata: k.metadata === undefined || k.metadata === null ? undefined : JSON.stringify(k.metadata),
    }));
    return { keys, complete: r.list_complete, cursor: r.cursor ?? "" };
  },

  // R2. A Get's body stays a stream, which Go reads on demand; a Put's is
  // bytes, or the readable side of r2Pipe, a FixedLengthStream Go writes.
  async r2Get(bucket, key) {
    const o = await bucket.get(key);
    return o === null ? null : { ...r2Meta(o), stream: o.body };
  },
  async r2Put(bucket, key, body, opts) {
    const put = { customMetadata: opts.customMetadata };
    if (opts.contentType) put.httpMetadata = { contentType: opts.contentType };
    return r2Meta(await bucket.put(key, body, put));
  },
  r2Pipe(size) {
    const { readable, writable } = new FixedLengthStream(size);
    return { readable, writer: writable.getWriter() };
  },
  r2Delete(bucket, keys) {
    return bucket.delete(keys);
  },
  async r2List(bucket, opts) {
    const r = await bucket.list({ ...opts, include: ["httpMetadata", "customMetadata"] });
    return { objects: r.objects.map(r2Meta), truncated: r.truncated, cursor: r.cursor ?? "", prefixes: r.delimitedPrefixes ?? [] };
  },
  // Queue producers: bodies come as JSON text, and go as JSON.
  queueSend(queue, texts, delaySeconds) {
    const messages = texts.map((t) => ({ body: JSON.parse(t), contentType: "json" }));
    return queue.sendBatch(messages, delaySeconds > 0 ? { delaySeconds } : undefined);
  },
  // D1: one statement, its rows packed as host.sql packs them (raw() has no
  // row counts: they are 0).
  // D1 binds a BLOB from an ArrayBuffer and returns one as an array of
  // numbers.
  async d1Exec(db, query, args) {
    const bound = args.map(d1Arg);
    const [columns, ...rows] = await db.prepare(query).bind(...bound).raw({ columnNames: true });
    const p = new Packer();
    p.u32(columns.length);
    for (const c of columns) p.string(2, c);
    for (const row of rows) for (const v of row) p.value(Array.isArray(v) ? new Uint8Array(v) : v);
    return [p.done(), 0, 0];
  },
  // D1's run(): what the statement changed, from its meta.
  async d1Run(db, query, args) {
    const bound = args.map(d1Arg);
    const { meta } = await db.prepare(query).bind(...bound).run();
    return [meta?.changes ?? 0, meta?.last_row_id ?? 0];
  },
};

// d1Arg is a bound value as D1 takes it: a BLOB as an ArrayBuffer.
function d1Arg(a) {
  return a instanceof Uint8Array ? a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) : a;
}

function r2Meta(o) {
  return {
    key: o.key,
    size: o.size,
    etag: o.etag,
    uploaded: o.uploaded.getTime(),
    contentType: o.httpMetadata?.contentType ?? "",
    custom: Object.entries(o.customMetadata ?? {}),
  };
}
