// Outbound HTTP for Go's http.DefaultTransport (internal/bridge,
// outbound_js.go): Go calls fetch with the request as plain data, in the I/O
// context of the event the request belongs to.
import { parkResponseWebSocket } from "./websocket.mjs";

// A response body of known length up to INLINE_BODY bytes crosses into Go
// whole; a larger one, or one of unknown length, streams (runtime.mjs and
// stream_js.go use the same bound).
const INLINE_BODY = 64 * 1024;

export const outboundHost = {
  // fetch sends a request to the internet (or a local server). Redirects come
  // back as they are, for Go's http.Client to follow under its own rules. Its
  // body is bytes, null, or a ReadableStream; the answer's is bytes when small
  // and of known length, else its stream.
  async fetch(m) {
    const res = await fetch(m.url, { method: m.method, headers: m.headers, body: m.body, signal: m.signal, redirect: "manual" });
    const out = { status: res.status, headers: parkResponseWebSocket(res, [...res.headers]), body: null };
    if (res.body !== null) {
      const length = res.headers.get("content-length");
      // A body workerd decompressed is not the length its header says.
      const known = length !== null && length !== "" && !res.headers.has("content-encoding");
      if (known && Number(length) <= INLINE_BODY) out.body = new Uint8Array(await res.arrayBuffer());
      else out.stream = res.body;
    }
    return out;
  },
};
