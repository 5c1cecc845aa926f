// Packer and kvBytes turn values into the bytes Go reads: SQL results and KV
// listings cross into Go packed in one buffer (decoded by internal/packed).

const encoder = new TextEncoder();

// kvBytes turns a stored KV value into bytes for Go: bytes as they are, strings as
// UTF-8, any other value (written by JavaScript code) as its JSON text.
export function kvBytes(value) {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

// ByteWriter is a little-endian byte buffer that grows as it is written: the
// base of every format that crosses into Go as one buffer (Packer here, RPC
// values in rpc.mjs).
export class ByteWriter {
  constructor(size) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.n = 0;
  }
  room(k) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u32(v) {
    this.room(4);
    this.view.setUint32(this.n, v, true);
    this.n += 4;
  }
  done() {
    return this.buf.subarray(0, this.n);
  }
}

// Packer encodes SQL results and KV listings into one byte buffer, so Go copies
// a whole result across the boundary at once instead of reading it cell by
// cell. The format is decoded by internal/bridge (packed_js.go).
export class Packer extends ByteWriter {
  constructor() {
    super(1024);
  }
  bytes(tag, b) {
    this.room(5 + b.length);
    this.buf[this.n++] = tag;
    this.view.setUint32(this.n, b.length, true);
    this.buf.set(b, this.n + 4);
    this.n += 4 + b.length;
  }
  string(tag, s) {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.room(5 + s.length * 3);
    this.buf[this.n] = tag;
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.n + 5));
    this.view.setUint32(this.n + 1, written, true);
    this.n += 5 + written;
  }
  value(v) {
    if (v === null || v === undefined) {
      this.room(1);
      this.buf[this.n++] = 0;
    } else if (typeof v === "number") {
      this.room(9);
      this.buf[this.n] = 1;
      this.view.setFloat64(this.n + 1, v, true);
      this.n += 9;
    } else if (typeof v === "string") {
      this.string(2, v);
    } else {
      this.bytes(3, kvBytes(v));
    }
  }
}

