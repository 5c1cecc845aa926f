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
};
