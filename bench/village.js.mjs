// The village's Greeter path written in JavaScript, for side-by-side benchmarks
// against the Go village: the same routes, the same SQL, the same answers.
import { DurableObject } from "cloudflare:workers";

export class Greeter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS visits (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      count INTEGER NOT NULL
    )`);
  }

  async fetch() {
    const { count } = this.ctx.storage.sql
      .exec(`INSERT INTO visits (id, count) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET count = count + 1
        RETURNING count`)
      .one();
    return new Response(`Hey: ${this.ctx.id.name}\n${count}\n`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith("/hey/")) return new Response("404 page not found\n", { status: 404 });
    const name = decodeURIComponent(pathname.slice("/hey/".length));
    const stub = env.GREETER.get(env.GREETER.idFromName(name));
    return stub.fetch("https://greeter/visit", { method: "POST" });
  },
};
