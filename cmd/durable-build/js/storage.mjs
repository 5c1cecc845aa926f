// Storage helpers Go calls (internal/bridge): KV batches and the rest of
// ctx.storage beyond SQL and single-key KV. They take and return plain data.
import { Packer, kvBytes } from "./packer.mjs";

export const storageHost = {
  // kvGetMany returns one packed value per key, in order: bytes, or null for
  // a key with no value.
  kvGetMany(kv, keys) {
    const p = new Packer();
    for (const key of keys) {
      const v = kv.get(key);
      if (v === undefined) p.value(null);
      else p.bytes(3, kvBytes(v));
    }
    return p.done();
  },
  // kvPutMany writes every pair in one synchronous transaction: all or none.
  kvPutMany(storage, keys, values) {
    storage.transactionSync(() => {
      for (let i = 0; i < keys.length; i++) storage.kv.put(keys[i], values[i]);
    });
  },
  // kvDeleteMany deletes every key in one synchronous transaction and counts
  // those that existed.
  kvDeleteMany(storage, keys) {
    return storage.transactionSync(() => {
      let n = 0;
      for (const key of keys) if (storage.kv.delete(key)) n++;
      return n;
    });
  },

  // sqliteBacked reports whether an object's storage is SQLite-backed. On a
  // KV-backed object (a new_classes migration) the sql and kv properties
  // exist, but using them throws; reading the database size is the cheapest
  // use (workerd's getSqliteDb check, in production and locally alike).
  sqliteBacked(storage) {
    try {
      return typeof storage.sql.databaseSize === "number";
    } catch {
      return false;
    }
  },

  // The asynchronous KV API of KV-backed objects: each returns a promise.
  async kvAsyncGet(storage, key) {
    return kvBytes(await storage.get(key));
  },
  kvAsyncPut(storage, key, value) {
    return storage.put(key, value);
  },
  kvAsyncDelete(storage, key) {
    return storage.delete(key);
  },
  async kvAsyncList(storage, options) {
    const p = new Packer();
    for (const [key, value] of await storage.list(options)) {
      p.string(2, key);
      p.bytes(3, kvBytes(value));
    }
    return p.done();
  },
  // The batch forms are atomic in workerd's KV-backed storage.
  async kvAsyncGetMany(storage, keys) {
    const found = await storage.get(keys);
    const p = new Packer();
    for (const key of keys) {
      const v = found.get(key);
      if (v === undefined) p.value(null);
      else p.bytes(3, kvBytes(v));
    }
    return p.done();
  },
  kvAsyncPutMany(storage, keys, values) {
    // fromEntries defines own properties, so a key such as "__proto__" stays a key.
    return storage.put(Object.fromEntries(keys.map((k, i) => [k, values[i]])));
  },
  kvAsyncDeleteMany(storage, keys) {
    return storage.delete(keys);
  },
};
