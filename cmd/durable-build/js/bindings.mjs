// The helpers Go calls for the Worker's bindings beyond Durable Objects
// (internal/bridge: workerskv_js.go, ...). They take and return plain data;
// each runs in the I/O context of the event Go runs it for.

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
};
