// RPC between Durable Objects, for Go objects on either end. Copied next to
// the generated entry module by cmd/durable-build; edit the original there.
//
// Values cross into and out of Go as one byte buffer per call, in the format
// of internal/rpcvalue (one tag byte per value; numbers and Dates as float64,
// strings and bytes with a uint32 length, arrays and objects with a count), so
// Go crosses the boundary once per call instead of once per field. encode
// refuses what Go's mapping has no place for (functions, stubs, bigints,
// Maps, cycles) with a TypeError the caller sees.
import { ByteWriter } from "./packer.mjs";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const UNDEFINED = 0, NULL = 1, FALSE = 2, TRUE = 3, NUMBER = 4, STRING = 5, BYTES = 6, DATE = 7, ARRAY = 8, OBJECT = 9;
const MAX_DEPTH = 64;

class Writer extends ByteWriter {
  constructor() {
    super(256);
  }
  tag(t) {
    this.room(1);
    this.buf[this.n++] = t;
  }
  f64(v) {
    this.room(8);
    this.view.setFloat64(this.n, v, true);
    this.n += 8;
  }
  string(s) {
    this.room(4 + s.length * 3); // a UTF-16 code unit takes at most 3 bytes in UTF-8
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.n + 4));
    this.view.setUint32(this.n, written, true);
    this.n += 4 + written;
  }
  bytes(b) {
    this.u32(b.byteLength);
    this.room(b.byteLength);
    this.buf.set(b, this.n);
    this.n += b.byteLength;
  }
  value(v, where, path) {
    if (path.length > MAX_DEPTH) throw new TypeError(`${where} is nested deeper than ${MAX_DEPTH}`);
    switch (typeof v) {
      case "undefined":
        return this.tag(UNDEFINED);
      case "boolean":
        return this.tag(v ? TRUE : FALSE);
      case "number":
        this.tag(NUMBER);
        return this.f64(v);
      case "string":
        this.tag(STRING);
        return this.string(v);
      case "object":
        break;
      default:
        throw new TypeError(`${where} is a ${typeof v}, which Go cannot receive`);
    }
    if (v === null) return this.tag(NULL);
    if (path.includes(v)) throw new TypeError(`${where} is cyclic: it contains itself`);
    if (v instanceof Date) {
      this.tag(DATE);
      return this.f64(v.getTime());
    }
    if (v instanceof ArrayBuffer) {
      this.tag(BYTES);
      return this.bytes(new Uint8Array(v));
    }
    if (ArrayBuffer.isView(v)) {
      this.tag(BYTES);
      return this.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
    path.push(v);
    if (Array.isArray(v)) {
      this.tag(ARRAY);
      this.u32(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i], `${where}[${i}]`, path);
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`${where} is a ${v.constructor?.name ?? "class instance"}; Go receives plain objects, arrays, Dates and byte arrays`);
      }
      const keys = Object.keys(v);
      this.tag(OBJECT);
      this.u32(keys.length);
      for (const k of keys) {
        this.string(k);
        this.value(v[k], `${where}.${k}`, path);
      }
    }
    path.pop();
  }
}

// encodeArgs encodes a call's arguments (a list) for Go.
export function encodeArgs(args) {
  const w = new Writer();
  w.tag(ARRAY);
  w.u32(args.length);
  args.forEach((a, i) => w.value(a, `argument ${i + 1}`, []));
  return w.done();
}

// encodeValue encodes one value (a JavaScript callee's result) for Go.
export function encodeValue(v) {
  const w = new Writer();
  w.value(v, "the result", []);
  return w.done();
}

// decode reads one value Go encoded.
export function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  const u32 = () => {
    const n = view.getUint32(i, true);
    i += 4;
    return n;
  };
  const str = () => {
    const n = u32();
    const s = decoder.decode(bytes.subarray(i, i + n));
    i += n;
    return s;
  };
  const value = () => {
    const tag = bytes[i++];
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case NUMBER:
      case DATE: {
        const f = view.getFloat64(i, true);
        i += 8;
        return tag === DATE ? new Date(f) : f;
      }
      case STRING:
        return str();
      case BYTES: {
        const n = u32();
        const b = new Uint8Array(bytes.subarray(i, i + n)); // a copy, and a plain Uint8Array even from a Buffer
        i += n;
        return b;
      }
      case ARRAY: {
        const n = u32();
        const a = new Array(n);
        for (let k = 0; k < n; k++) a[k] = value();
        return a;
      }
      case OBJECT: {
        const n = u32();
        const o = {};
        for (let k = 0; k < n; k++) {
          const key = str();
          // defineProperty: a key "__proto__" is data, not the prototype.
          Object.defineProperty(o, key, { value: value(), enumerable: true, writable: true, configurable: true });
        }
        return o;
      }
      default:
        throw new TypeError(`durable: malformed value from Go (tag ${tag})`);
    }
  };
  return value();
}

// rpcError is the Error a Go method's failure rejects its call with: the
// message Go chose for the caller, and the code of a durable.RPCError.
function rpcError(f) {
  const e = new Error(f?.message ?? String(f));
  if (f?.code) e.code = f.code;
  return e;
}

// serveRPC runs an RPC call on a Go object: a method of the generated class.
// A value Go cannot receive rejects before Go is entered.
export async function serveRPC(program, object, className, method, args) {
  const encoded = encodeArgs(args);
  const ctx = await program.contextOf(object, className);
  let out;
  try {
    out = await ctx.serve("objectRPC", method, encoded);
  } catch (e) {
    throw rpcError(e);
  }
  return decode(out);
}

// rpcHost returns the helper Go calls to make a call through a stub.
export const rpcHost = {
  // stubCall calls stub[method](...args) and always resolves, with the result
  // encoded for Go or, when the call failed, { error } with the flags workerd
  // sets on it, so Go builds its typed error from plain data.
  async stubCall(stub, method, args) {
    let result;
    try {
      // Called as stub[method](...), never through .apply or .call: on a
      // stub those are RPC properties too, and would send the stub itself.
      result = await stub[method](...decode(args));
    } catch (e) {
      return {
        error: {
          message: String(e?.message ?? e),
          code: typeof e?.code === "string" ? e.code : "",
          remote: !!e?.remote,
          retryable: !!e?.retryable,
          overloaded: !!e?.overloaded,
          reset: !!e?.durableObjectReset,
        },
      };
    }
    try {
      return { value: encodeValue(result) };
    } catch (e) {
      return { error: { message: `the result of ${method} cannot be received in Go: ${e.message}`, code: "", remote: false } };
    }
  },
};
