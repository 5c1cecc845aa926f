// WebSockets on workerd: a Go object (e2e/wsworker) accepts hibernatable
// WebSockets through the Go front handler, answers text and binary messages,
// lists its sockets by tag, keeps attachments, lets workerd answer an
// auto-response pair, and keeps its sockets when its Go instance is dropped.
import { createServer } from "node:http";
import { afterAll, describe, expect, test } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { startWorker } from "./harness.mjs";

const config = "e2e/wsworker/wrangler.jsonc";
const run = Date.now().toString(36);
const server = await startWorker({ config });
afterAll(() => server.stop());

// connect opens a WebSocket to a room and returns a client whose next()
// resolves with the next message: a string for text, an array of bytes for
// binary.
async function connect(room, query = "") {
  const url = new URL(`/room/${run}-${room}/ws?${query}`, server.url);
  url.protocol = "ws:";
  const ws = new WebSocket(url);
  const queue = [];
  const waiting = [];
  const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("message", (data, binary) => {
    const m = binary ? [...data] : data.toString();
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  await new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("error", reject);
  });
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift())
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no message within 5 s")), 5000);
          waiting.push((m) => {
            clearTimeout(timer);
            resolve(m);
          });
        });
  // ask sends a command and returns the JSON of its answer "verb:json".
  const ask = async (command) => {
    ws.send(command);
    const m = await next();
    const verb = command.split(":")[0];
    expect(m.startsWith(verb + ":"), m).toBe(true);
    return JSON.parse(m.slice(verb.length + 1));
  };
  return { ws, next, ask, closed };
}

// refused opens a WebSocket that the server must refuse, and returns the
// status and body of its answer.
function refused(room, query) {
  const url = new URL(`/room/${run}-${room}/ws?${query}`, server.url);
  url.protocol = "ws:";
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.on("open", () => reject(new Error("the server accepted the WebSocket")));
    ws.on("error", () => {});
    ws.on("unexpected-response", (_, res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
  });
}

describe("hibernatable WebSockets on workerd", () => {
  test("a request that is not an upgrade gets 426 with a message", async () => {
    const res = await server.fetch(`/room/${run}-plain/ws`);
    expect(res.status).toBe(426);
    expect(await res.text()).toMatch(/WebSocket upgrade/);
  });

  test("the header that names a WebSocket in a 101 means nothing in other responses", async () => {
    const res = await server.fetch("/marker");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-durable-websocket")).toBe("not-a-socket");
    expect(await res.text()).toBe("ok");
  });

  test("too many tags, or a tag too long, are refused before accepting", async () => {
    const many = Array.from({ length: 11 }, (_, i) => `t${i}`).join(",");
    const tooMany = await refused("limits", `tags=${many}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatch(/at most 10 distinct tags/);
    const tooLong = await refused("limits", `tags=${"x".repeat(257)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatch(/limit is 256/);
  });

  test("text and binary both ways, tags, attachments and listing by tag", async () => {
    const ann = await connect("chat", "tags=red,blue&user=ann");
    const bob = await connect("chat", "tags=blue&user=bob");
    ann.ws.send("echo:héllo");
    expect(await ann.next()).toBe("echo:héllo");
    ann.ws.send(Buffer.from([1, 2, 3, 255]));
    expect(await ann.next()).toEqual([255, 3, 2, 1]);
    expect(await ann.ask("tags")).toEqual(["red", "blue"]);
    expect(await bob.ask("tags")).toEqual(["blue"]);
    expect(await ann.ask("count:blue")).toBe(2);
    expect(await ann.ask("count:red")).toBe(1);
    expect(await ann.ask("count:green")).toBe(0);
    expect(await ann.ask("count")).toBe(2);
    expect((await bob.ask("who:blue")).sort()).toEqual(["ann", "bob"]);
    expect(await bob.ask("who:red")).toEqual(["ann"]);
    expect(await ann.ask("me")).toEqual({ member: { user: "ann", joins: 1 }, ok: true, error: "" });
    expect(await ann.ask("rejoin")).toBe("");
    expect((await ann.ask("me")).member).toEqual({ user: "ann", joins: 2 });

    // A broadcast from an HTTP request reaches the tagged sockets only.
    const res = await server.fetch(`/room/${run}-chat/broadcast?tag=red&text=hi-red`);
    expect(await res.text()).toBe("1");
    expect(await ann.next()).toBe("hi-red");
    bob.ws.send("echo:bob-still-here");
    expect(await bob.next()).toBe("echo:bob-still-here");
    ann.ws.close();
    bob.ws.close();
  });

  test("limits: an attachment over 2,048 bytes and an oversize message fail clearly", async () => {
    const c = await connect("limits2", "user=lim");
    const att = await c.ask("big-attachment");
    expect(att.limit).toBe(true);
    expect(att.error).toMatch(/attachment's JSON is 2050 bytes; the limit is 2048/);
    const msg = await c.ask("big-message");
    expect(msg.limit).toBe(true);
    expect(msg.error).toMatch(/larger than 33554432/);
    // The socket keeps its attachment and keeps serving.
    expect((await c.ask("me")).member.user).toBe("lim");
    c.ws.close();
  });

  test("a received message over 32 MiB fails the socket with 1009 and reaches WebSocketError", async () => {
    const url = new URL(`/room/${run}-toobig/ws?user=big`, server.url);
    url.protocol = "ws:";
    const ws = new WebSocket(url, { maxPayload: 0 });
    const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("error", () => {});
    await new Promise((r) => ws.on("open", r));
    ws.send(Buffer.alloc((32 << 20) + 1));
    expect(await closed).toEqual({ code: 1009, reason: "Message is too large" });
    let closes = [];
    for (let i = 0; i < 50 && closes.length === 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      closes = (await (await server.fetch(`/room/${run}-toobig/closes`)).json()) ?? [];
    }
    expect(closes).toEqual([{ code: -1, reason: expect.stringMatching(/Message is too large/), clean: false, user: "big" }]);
  });

  test("close with code and reason, both ways; the object records the close", async () => {
    const a = await connect("close", "user=closer");
    a.ws.send("close:4001:server says bye");
    expect(await a.closed).toEqual({ code: 4001, reason: "server says bye" });
    const b = await connect("close", "user=leaver");
    b.ws.close(4002, "client says bye");
    await b.closed;
    // The close event is recorded in storage by WebSocketClose.
    let closes = [];
    for (let i = 0; i < 50 && !closes?.some((c) => c.user === "leaver"); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      closes = await (await server.fetch(`/room/${run}-close/closes`)).json();
    }
    expect(closes).toContainEqual({ code: 4002, reason: "client says bye", clean: true, user: "leaver" });
    expect(closes).toContainEqual({ code: 4001, reason: "server says bye", clean: true, user: "closer" });
  });

  test("auto-response: workerd answers without waking Go, and stamps the socket", async () => {
    const set = await (await server.fetch(`/room/${run}-auto/auto?request=ping&response=pong`)).json();
    expect(set).toEqual({ error: "", request: "ping", response: "pong", set: true });
    const c = await connect("auto");
    expect(await c.ask("autots")).toEqual({ ok: false, ms: expect.any(Number) });
    const before = Date.now();
    c.ws.send("ping");
    expect(await c.next()).toBe("pong");
    const ts = await c.ask("autots");
    expect(ts.ok).toBe(true);
    expect(ts.ms).toBeGreaterThanOrEqual(before - 1000);
    expect(ts.ms).toBeLessThanOrEqual(Date.now() + 1000);
    const tooBig = await (await server.fetch(`/room/${run}-auto/auto?request=${"x".repeat(2049)}&response=y`)).json();
    expect(tooBig.error).toMatch(/at most 2048 bytes/);
    const cleared = await (await server.fetch(`/room/${run}-auto/auto?clear`)).json();
    expect(cleared.set).toBe(false);
    c.ws.send("ping");
    expect(await c.next()).toBe("unknown:ping");
    c.ws.close();
  });

  test("event timeout: set, read back, refused past 7 days", async () => {
    const c = await connect("timeout");
    expect(await c.ask("timeout:5000")).toEqual({ error: "", ms: 5000, set: true });
    const tooLong = await c.ask(`timeout:${7 * 24 * 3600 * 1000 + 1}`);
    expect(tooLong.error).toMatch(/WebSocket limit exceeded/);
    expect(await c.ask("timeout:0")).toMatchObject({ error: "", set: false });
    c.ws.close();
  });

  test("a handler that panics or fails is logged; the socket and object keep serving", async () => {
    const c = await connect("panic", "user=p");
    c.ws.send("panic");
    c.ws.send("fail");
    c.ws.send("echo:alive");
    expect(await c.next()).toBe("echo:alive");
    expect((await c.ask("me")).member.user).toBe("p");
    c.ws.close();
  });

  test("sockets, tags and attachments survive the Go instance being dropped", async () => {
    const ann = await connect("hibernate", "tags=x&user=ann");
    const bob = await connect("hibernate", "tags=y&user=bob");
    const first = await ann.ask("instance");
    expect(first.atStart).toBe(0);
    expect(await ann.ask("restart")).toBe("");
    // The next message constructs the room again; its constructor already
    // sees both sockets, and the new instance answers with their tags and
    // attachments.
    const second = await bob.ask("instance");
    expect(second.instance).not.toBe(first.instance);
    expect(second.atStart).toBe(2);
    expect(await bob.ask("tags")).toEqual(["y"]);
    expect(await bob.ask("me")).toMatchObject({ member: { user: "bob", joins: 1 }, ok: true });
    expect((await ann.ask("who")).sort()).toEqual(["ann", "bob"]);
    expect(await ann.ask("who:x")).toEqual(["ann"]);
    ann.ws.send(Buffer.from([9, 8]));
    expect(await ann.next()).toEqual([8, 9]);
    ann.ws.close();
    bob.ws.close();
  });

  test("sockets, tags and attachments survive the Go program exiting", async () => {
    const ann = await connect("exit", "tags=x&user=ann");
    const bob = await connect("exit", "tags=y&user=bob");
    const first = await ann.ask("instance");
    ann.ws.send("exit");
    // The next event boots a new Go runtime; the room is constructed there
    // and finds its sockets in workerd.
    let second;
    for (let i = 0; i < 20 && !second; i++) {
      await new Promise((r) => setTimeout(r, 100));
      bob.ws.send("instance");
      // An event that the dying program had in flight fails with no answer.
      const m = await bob.next().catch(() => "");
      if (m.startsWith("instance:")) second = JSON.parse(m.slice("instance:".length));
    }
    expect(second.instance).not.toBe(first.instance);
    expect(second.atStart).toBe(2);
    expect(await ann.ask("me")).toMatchObject({ member: { user: "ann" }, ok: true });
    expect(await bob.ask("who:x")).toEqual(["ann"]);
    ann.ws.close();
    bob.ws.close();
  });
});

describe("plain WebSockets that Go reads and writes", () => {
  test("echo after the handler returned, with storage and timers in between", async () => {
    const url = new URL(`/room/${run}-echo/echo`, server.url);
    url.protocol = "ws:";
    const ws = new WebSocket(url);
    const messages = [];
    let wake;
    ws.on("message", (data, binary) => {
      messages.push(binary ? [...data] : data.toString());
      wake?.();
    });
    const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    const next = async () => {
      const deadline = Date.now() + 5000;
      while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => ((wake = r), setTimeout(r, 100)));
      return messages.shift();
    };
    for (let i = 1; i <= 3; i++) {
      ws.send(`hello ${i}`);
      expect(await next()).toBe(`${i} hello ${i}`);
    }
    // Idle for a while: the connection, not a request, keeps the room's
    // event in flight.
    await new Promise((r) => setTimeout(r, 1500));
    ws.send(Buffer.from([7, 7, 1]));
    expect(await next()).toEqual([7, 7, 1]);
    ws.send("bye");
    expect(await closed).toEqual({ code: 4010, reason: "echo bye" });
  });
});

describe("WebSocket clients in Go on workerd", () => {
  test("the front handler dials an object and reads its answers", async () => {
    const got = await (await server.fetch(`/dial/${run}-dial`)).json();
    expect(got).toEqual([
      'text "echo:from-go"',
      'binary "\\x02\\x01"',
      'text "me:{\\"error\\":\\"\\",\\"member\\":{\\"user\\":\\"gopher\\",\\"joins\\":1},\\"ok\\":true}"',
      expect.stringMatching(/^read error: .*status 4003: "done"/),
    ]);
  });

  test("dialing a route that answers without upgrading fails with ErrNotWebSocket", async () => {
    const text = await (await server.fetch(`/dial-plain/${run}-dial`)).text();
    expect(text).toMatch(/^true .*answered status 200/);
  });

  test("the front handler dials a WebSocket server by URL", async () => {
    // A server outside workerd: it echoes with the X-Who header it got.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.on("listening", r));
    const closes = [];
    wss.on("connection", (ws, req) => {
      ws.on("message", (data, binary) => ws.send(binary ? data : `${req.headers["x-who"]} ${data}`, { binary }));
      ws.on("close", (code, reason) => closes.push([code, reason.toString()]));
    });
    try {
      const { port } = wss.address();
      const text = await (await server.fetch(`/dial-url?url=ws://127.0.0.1:${port}/chat`)).text();
      expect(text).toBe('gopher hi <nil>; [1 2] <nil>; durable: WebSocket closed with status 1000: "client done"');
      expect(closes).toEqual([[1000, "client done"]]);
      // A server that does not upgrade.
      const plain = createServer((req, res) => res.writeHead(404).end("no socket here"));
      await new Promise((r) => plain.listen(0, "127.0.0.1", r));
      const refused = await (await server.fetch(`/dial-url?url=ws://127.0.0.1:${plain.address().port}/`)).text();
      plain.close();
      expect(refused).toMatch(/^dial: true .*answered status 404: "no socket here"/);
    } finally {
      wss.close();
    }
  });
});

describe("WebSocket costs", () => {
  // stats reads the Go runtime's census, once goroutines that end with an
  // event have had a moment to finish.
  async function stats() {
    await new Promise((r) => setTimeout(r, 200));
    return (await server.fetch("/stats")).json();
  }

  test("1,000 hibernatable messages and 50 plain connections leak no goroutine and no callback", async () => {
    const warm = await connect("leak", "user=w");
    warm.ws.send("echo:warm");
    expect(await warm.next()).toBe("echo:warm");
    const before = await stats();
    const c = await connect("leak", "user=x");
    const started = performance.now();
    const times = [];
    for (let i = 0; i < 1000; i++) {
      const t = performance.now();
      c.ws.send(`echo:${i}`);
      expect(await c.next()).toBe(`echo:${i}`);
      times.push(performance.now() - t);
    }
    const total = performance.now() - started;
    c.ws.close();
    for (let i = 0; i < 50; i++) {
      const url = new URL(`/room/${run}-leak/echo`, server.url);
      url.protocol = "ws:";
      const ws = new WebSocket(url);
      await new Promise((resolve, reject) => {
        ws.on("open", resolve);
        ws.on("error", reject);
      });
      ws.send("x");
      await new Promise((r) => ws.once("message", r));
      ws.close();
      await new Promise((r) => ws.on("close", r));
    }
    const after = await stats();
    times.sort((a, b) => a - b);
    console.log(
      `websocket: 1,000 sequential Go echoes over a hibernatable socket: ${(total / 1000).toFixed(2)} ms each on average, ` +
        `p50 ${times[500].toFixed(2)} ms, p99 ${times[990].toFixed(2)} ms; census before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
    );
    expect(after.goroutines).toBeLessThanOrEqual(before.goroutines);
    expect(after.funcs).toBeLessThanOrEqual(before.funcs);
    warm.ws.close();
  });
});
