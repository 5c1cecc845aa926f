// The JavaScript side of npm run bench: the same Worker as bench/worker (Go), with
// the same routes, the same storage calls and the same answers, so that the two
// can be timed side by side on one workerd. Keep them in step when either changes.
import { DurableObject } from "cloudflare:workers";

const BULK_ROWS = 100;
const TEXT = { "content-type": "text/plain; charset=utf-8" };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Bench extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.puts = 0; // KV puts so far by this instance, to vary the stored value
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS visits (
      id    INTEGER PRIMARY KEY CHECK (id = 1),
      count INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS items (
      id    INTEGER PRIMARY KEY,
      label TEXT NOT NULL
    )`);
  }

  async fetch(request) {
    const name = this.ctx.id.name;
    const storage = this.ctx.storage;
    switch (new URL(request.url).pathname) {
      case "/plain":
        return new Response(`Hello, ${name}\n`, { headers: TEXT });
      case "/hey": {
        const { count } = storage.sql
          .exec(`INSERT INTO visits (id, count) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET count = count + 1
            RETURNING count`)
          .one();
        return new Response(`Hey: ${name}\n${count}\n`, { headers: TEXT });
      }
      case "/bulk": {
        storage.transactionSync(() => {
          storage.sql.exec(`DELETE FROM items`);
          for (let i = 0; i < BULK_ROWS; i++) {
            storage.sql.exec(`INSERT INTO items (id, label) VALUES (?, ?)`, i, `item ${i}`);
          }
        });
        let n = 0, sum = 0, length = 0;
        for (const [id, label] of storage.sql.exec(`SELECT id, label FROM items ORDER BY id`).raw()) {
          n++;
          sum += id;
          length += label.length;
        }
        return new Response(`${n} rows, ids sum to ${sum}, labels ${length} bytes\n`, { headers: TEXT });
      }
      case "/kv": {
        this.puts++;
        storage.kv.put("greeting", encoder.encode(`Hello, ${name} #${this.puts}`));
        const value = storage.kv.get("greeting");
        if (value === undefined) throw new Error("greeting: not found after put");
        return new Response(`${decoder.decode(value)}\n`, { headers: TEXT });
      }
    }
    return new Response("404 page not found\n", { status: 404, headers: TEXT });
  }
}

export default {
  async fetch(request, env) {
    const parts = new URL(request.url).pathname.split("/");
    if (request.method === "GET" && parts.length === 2 && parts[1] === "front") {
      return new Response("front\n", { headers: TEXT });
    }
    if (request.method !== "GET" || parts.length !== 3 || !["plain", "hey", "bulk", "kv"].includes(parts[1]) || parts[2] === "") {
      return new Response("404 page not found\n", { status: 404, headers: TEXT });
    }
    const stub = env.BENCH.get(env.BENCH.idFromName(decodeURIComponent(parts[2])));
    const res = await stub.fetch(`https://bench/${parts[1]}`, { method: "POST" });
    return new Response(res.body, { status: res.status, headers: { "content-type": res.headers.get("content-type") } });
  },
};
