// WebSockets for Durable Objects written in Go (internal/bridge, websocket_js.go).
// Copied next to the generated entry module by cmd/durable-build; edit the
// original in cmd/durable-build.
//
// A WebSocket's client end cannot cross into Go as plain data, so it waits here
// under a name that travels in the response's WEBSOCKET_HEADER instead: when
// Go answers 101 with that header, toResponse puts the socket back into the
// Response (webSocket), and when a stub fetch is answered with a WebSocket, the
// header tells Go where to find it (to read it, or to answer with it in turn).

const encoder = new TextEncoder();

// WEBSOCKET_HEADER is internal/serving's WebSocketHeader, lowercased as
// Headers lists it.
export const WEBSOCKET_HEADER = "x-durable-websocket";

// Message kinds, as Go numbers them (wswrap.Kind) and message types
// (durable.MessageType).
const MESSAGE = 1;
const CLOSE = 2;
const ERROR = 3;
const TEXT = 1;
const BINARY = 2;

const OPEN = 1;
const CLOSED = 3;

// parked holds WebSockets waiting to go into a Response or to Go, under a
// random name: a header copied from elsewhere (an upstream response a handler
// relays) cannot name another request's socket.
const parked = new Map();

// parkedCount is how many WebSockets wait here (bridge.ReadStats).
export function parkedCount() {
  return parked.size;
}

function park(ws) {
  const id = crypto.randomUUID();
  parked.set(id, ws);
  return id;
}

// takeWebSocket removes the marker header from a 101 that Go answered and
// returns the WebSocket it names; any other response keeps its headers.
export function takeWebSocket(status, headers) {
  if (status !== 101) return undefined;
  const id = headers.get(WEBSOCKET_HEADER);
  if (id === null) return undefined;
  headers.delete(WEBSOCKET_HEADER);
  const ws = parked.get(id);
  parked.delete(id);
  if (ws === undefined) {
    throw new Error("durable: the 101 names a WebSocket that is gone or already used (answer 101 once per accepted WebSocket)");
  }
  return ws;
}

// parkResponseWebSocket parks the WebSocket of a stub fetch's response and
// names it in the headers Go receives.
export function parkResponseWebSocket(res, headers) {
  if (res.webSocket) headers.push([WEBSOCKET_HEADER, park(res.webSocket)]);
  return headers;
}

function payload(data) {
  if (typeof data === "string") return { type: TEXT, data: encoder.encode(data) };
  return { type: BINARY, data: new Uint8Array(data) };
}

// Conn is a WebSocket that Go reads (accept()ed, not hibernatable): its
// messages queue here until Go asks for them.
class Conn {
  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiting = null;
    this.closed = null; // { code, reason } once the peer closed
    // A client end delivers binary messages as Blobs by default, which
    // cannot be read synchronously.
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => this.push(payload(e.data)));
    this.onClosed = null; // set by Go for an accepted Conn: ends its hold
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason, closed: true };
      this.push(null);
      this.onClosed?.();
    });
    ws.addEventListener("error", (e) => {
      this.closed ??= { code: 1006, reason: String(e.message ?? e.error ?? "error"), closed: true };
      this.push(null);
      this.onClosed?.();
    });
    ws.accept();
  }

  push(m) {
    if (m) this.queue.push(m);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }

  // read returns the next message, or the close. A newer read supersedes
  // one that Go stopped waiting for (its context ended): the older one
  // settles with { cancelled: true }, consuming nothing, so its callbacks
  // are released and no message goes to a reader that is gone.
  async read() {
    const token = {};
    this.reader = token;
    this.push(null);
    while (this.queue.length === 0 && !this.closed) {
      await new Promise((resolve) => (this.waiting = resolve));
      if (this.reader !== token) return { cancelled: true };
    }
    if (this.reader !== token) return { cancelled: true };
    return this.queue.shift() ?? this.closed;
  }
}

// hold starts an event of the context ctxID that lasts until Go ends it: an
// accepted Conn keeps its object's context in flight while it is open, so
// that Go may read, write and use storage meanwhile. runtime.mjs sets it.
let hold = () => {
  throw new Error("durable: no runtime to hold the WebSocket");
};

export function setHold(fn) {
  hold = fn;
}

// The helpers Go calls (internal/bridge, websocket_js.go). Each runs in the
// I/O context the socket belongs to.
export const webSocketHost = {
  // wsAccept makes a pair, accepts its server end as hibernatable with tags,
  // and returns [number of the parked client end, server end].
  wsAccept(state, tags) {
    const [client, server] = Object.values(new WebSocketPair());
    state.acceptWebSocket(server, tags);
    return [park(client), server];
  },
  // wsAcceptConn makes a pair whose server end Go reads: [number, Conn].
  wsAcceptConn() {
    const [client, server] = Object.values(new WebSocketPair());
    return [park(client), new Conn(server)];
  },
  // wsHold starts the event that keeps an accepted Conn's object in flight;
  // Go ends it when the Conn closes.
  wsHold(ctxID, conn) {
    hold(ctxID, conn).catch((e) => console.error("durable: a WebSocket's event failed:", e));
  },
  // wsConn takes a parked WebSocket (a stub fetch's answer) for Go to read.
  wsConn(id) {
    const ws = parked.get(id);
    parked.delete(id);
    if (!ws) throw new Error("durable: no such WebSocket (it was already taken)");
    return new Conn(ws);
  },
  // wsDial connects to a WebSocket server: {conn}, or {status, body} when it
  // answered without upgrading. workerd's fetch speaks http(s) only.
  async wsDial(url, headers) {
    const u = new URL(url);
    if (u.protocol === "ws:") u.protocol = "http:";
    if (u.protocol === "wss:") u.protocol = "https:";
    const res = await fetch(u, { headers: [...headers, ["upgrade", "websocket"]] });
    if (!res.webSocket) return { status: res.status, body: (await res.text()).slice(0, 200) };
    return { conn: new Conn(res.webSocket) };
  },
  wsRead(conn) {
    return conn.read();
  },
  // wsSend returns "" or why the socket cannot send.
  wsSend(ws, type, data) {
    if (ws.readyState !== OPEN) return "closed";
    ws.send(data); // Go made the string or the bytes for this call
    return "";
  },
  wsClose(ws, code, reason) {
    if (ws.readyState > OPEN) return;
    ws.close(code, reason);
  },
  wsSockets(state, tag) {
    return tag === "" ? state.getWebSockets() : state.getWebSockets(tag);
  },
  // wsAttachment returns the attachment as JSON text, or null.
  wsAttachment(ws) {
    const a = ws.deserializeAttachment();
    if (a === null || a === undefined) return null;
    return typeof a === "string" ? a : JSON.stringify(a);
  },
  wsSetAutoResponse(state, request, response) {
    state.setWebSocketAutoResponse(new WebSocketRequestResponsePair(request, response));
  },
  wsAutoResponse(state) {
    const pair = state.getWebSocketAutoResponse();
    return pair ? [pair.request, pair.response] : null;
  },
  // wsTimestamp returns the last auto-response's time in ms, or -1.
  wsTimestamp(state, ws) {
    const t = state.getWebSocketAutoResponseTimestamp(ws);
    return t ? t.getTime() : -1;
  },
};

// eventMessage turns a hibernatable WebSocket event into the plain data Go's
// objectWebSocket entry takes.
export function eventMessage(kind, ws, ...args) {
  switch (kind) {
    case MESSAGE:
      return { kind, ws, ...payload(args[0]) };
    case CLOSE:
      return { kind, ws, code: args[0], reason: args[1], wasClean: args[2] };
    default:
      return { kind, ws, error: String(args[0]?.message ?? args[0]) };
  }
}

// afterEvent completes the closing handshake the client started, when the Go
// handler did not: workerd (1.20260426) does not answer a hibernatable
// socket's close frame by itself, and the client would wait for its own
// timeout. A code a server may not send (1005, 1006) is answered with 1000.
export function afterEvent(kind, ws, code, reason) {
  if (kind !== CLOSE || ws.readyState === CLOSED) return;
  const reply = code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
  try {
    ws.close(reply, reason);
  } catch {
    // Closed meanwhile: nothing left to answer.
  }
}
