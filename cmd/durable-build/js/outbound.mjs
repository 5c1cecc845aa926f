// Outbound HTTP for Go's http.DefaultTransport (internal/bridge,
// outbound_js.go): Go calls fetch with the request as plain data, in the I/O
// context of the event the request belongs to.
import { parkResponseWebSocket } from "./websocket.mjs";

// A response body of known length up to INLINE_BODY bytes crosses into Go
// whole; a larger one, or one of unknown length, streams (runtime.mjs and
// stream_js.go use the same bound).
const INLINE_BODY = 64 * 1024;

// DECODED are the content encodings workerd's fetch decodes.
const DECODED = new Set(["gzip", "br"]);

export const outboundHost = {
  // fetch sends a request to the internet (or a local server). Redirects come
  // back as they are, for Go's http.Client to follow under its own rules. Its
  // body is bytes, null, or a ReadableStream; the answer's is bytes when small
  // and of known length, else its stream.
  async fetch(m) {
    const res = await fetch(m.url, { method: m.method, headers: m.headers, body: m.body, signal: m.signal, redirect: "manual" });
    let headers = [...res.headers];
    // workerd decodes a gzip or brotli body itself: as Go's own transport
    // does then, drop the encoding and the length, which is the encoded
    // one, and say so (Response.Uncompressed).
    const uncompressed = DECODED.has(res.headers.get("content-encoding")?.trim().toLowerCase());
    if (uncompressed) headers = headers.filter(([name]) => name !== "content-encoding" && name !== "content-length");
    const out = { status: res.status, headers: parkResponseWebSocket(res, headers), body: null, uncompressed };
    if (res.body !== null) {
      const length = uncompressed ? null : res.headers.get("content-length");
      if (length !== null && length !== "" && Number(length) <= INLINE_BODY) out.body = new Uint8Array(await res.arrayBuffer());
      else out.stream = res.body;
    }
    return out;
  },
};
