// The JavaScript Worker of the RPC end-to-end test (e2e/rpc.test.mjs): a
// JavaScript object that Go calls (JsCounter), and a front handler that calls
// the Go object Counter (Worker durable-rpc) by RPC and reports what it got.
import { DurableObject } from "cloudflare:workers";

export class JsCounter extends DurableObject {
  add(a, b) {
    return a + b;
  }
  echo(v) {
    return v;
  }
  fail() {
    throw Object.assign(new Error("js says no"), { code: "js_no" });
  }
  aMap() {
    return new Map([[1, 2]]);
  }
}

// settle runs a call and reports its value or its error's fields.
async function settle(promise) {
  try {
    return { value: await promise };
  } catch (e) {
    return { error: { name: e.name, message: e.message, code: e.code, remote: e.remote } };
  }
}

// plain turns what Go answered into JSON with its JavaScript types named.
function plain(v) {
  if (v instanceof Uint8Array) return { Uint8Array: [...v] };
  if (v instanceof Date) return { Date: v.toISOString() };
  if (typeof v === "number" && !Number.isFinite(v)) return { number: String(v) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/bench/")) {
      // n sequential calls, for bench/rpc.mjs: /bench/go (JavaScript to Go)
      // or /bench/js (JavaScript to JavaScript).
      const n = Number(url.searchParams.get("n"));
      const target = url.pathname === "/bench/go" ? env.GO.getByName("bench") : env.JS.getByName("bench");
      for (let i = 0; i < n; i++) {
        if (url.pathname === "/bench/go") await target.echo(1);
        else await target.add(1, 1);
      }
      return new Response(String(n));
    }
    const go = env.GO.get(env.GO.idFromName(url.searchParams.get("name") ?? "js-caller"));
    const results = {};
    const run = async (name, promise) => {
      const r = await settle(promise);
      results[name] = r.error ? r : { value: plain(r.value) };
    };
    await run("increment", go.increment(5));
    await run("incrementAgain", go.increment(5));
    await run("echoValues", go.echo([1, -2.5, 2 ** 53, "s", "", true, false, null, new Uint8Array([1, 2, 255]), new Date(1764489600123), [[]], { a: { b: [1] } }, Infinity]));
    await run("describeInt", go.describe(7));
    await run("describeFloat", go.describe(7.5));
    await run("describeBytes", go.describe(new Uint8Array([9])));
    await run("describeDate", go.describe(new Date(0)));
    await run("echoRecord", go.echoRecord({ int: 1, text: "t", bytes: new Uint8Array([3]), when: new Date(1000), list: ["a"], map: { k: 2 }, ptr: { name: "p" }, unknown: "ignored" }));
    await run("tooBig", go.increment(5000));
    await run("unknown", go.nope?.(1) ?? Promise.reject(new Error("no such method on the stub")));
    await run("noArgument", go.increment());
    await run("wrongType", go.increment("x"));
    await run("fraction", go.increment(1.5));
    await run("bigint", go.echo(5n));
    await run("aMapArg", go.echo(new Map()));
    await run("cyclic", go.echo((() => { const o = {}; o.self = o; return o; })()));
    await run("panic", go.explode());
    await run("huge", go.huge());
    await run("afterAll", go.increment(1));
    return Response.json(results);
  },
};
