// Storage on local workerd beyond the conformance suite: the Go memory a large
// result takes when iterated lazily.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker } from "./harness.mjs";

const config = "e2e/storageworker/wrangler.jsonc";
const run = Date.now().toString(36);
const MiB = 1024 * 1024;

let server;
beforeAll(async () => {
  server = await startWorker({ config });
});
afterAll(() => server?.stop());

async function json(path, init) {
  const res = await server.fetch(path, init);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text);
}

describe("SQL.Query reads a large result lazily", () => {
  test("100,000 rows (about 10 MB) iterate in bounded Go memory; Exec holds them all", async () => {
    const rows = 100_000;
    await json(`/BIG/${run}-big/seed?n=${rows}`, { method: "POST" });
    const lazy = await json(`/BIG/${run}-big/iterate`);
    let started = performance.now();
    await json(`/BIG/${run}-big/iterate?sample=0`);
    const lazyMs = performance.now() - started;
    started = performance.now();
    const whole = await json(`/BIG/${run}-big/exec`);
    const wholeMs = performance.now() - started;
    const mib = (n) => (n / MiB).toFixed(1);
    console.log(
      `100k rows: Query peak heap growth ${mib(lazy.heapPeak - lazy.heapBefore)} MiB (Go memory ${mib(lazy.sys)} MiB; ${lazyMs.toFixed(0)} ms unsampled); ` +
        `Exec ${mib(whole.heapPeak - whole.heapBefore)} MiB (Go memory ${mib(whole.sys)} MiB, ${wholeMs.toFixed(0)} ms)`,
    );
    const sum = (rows * (rows + 1)) / 2;
    expect(lazy).toMatchObject({ rows, sum });
    expect(whole).toMatchObject({ rows, sum });
    expect(lazy.heapPeak - lazy.heapBefore).toBeLessThan(8 * MiB);
    expect(whole.heapPeak - whole.heapBefore).toBeGreaterThan(4 * (lazy.heapPeak - lazy.heapBefore));
  });

  test("three times the rows take no more Go memory to iterate", async () => {
    const rows = 300_000;
    await json(`/BIG/${run}-bigger/seed?n=${rows}`, { method: "POST" });
    const lazy = await json(`/BIG/${run}-bigger/iterate`);
    console.log(`300k rows: Query peak heap growth ${((lazy.heapPeak - lazy.heapBefore) / MiB).toFixed(1)} MiB`);
    expect(lazy).toMatchObject({ rows, sum: (rows * (rows + 1)) / 2 });
    expect(lazy.heapPeak - lazy.heapBefore).toBeLessThan(8 * MiB);
  });
});

describe("a KV-backed class (new_classes)", () => {
  test("serves KV through workerd's asynchronous API, batches included, and a later request reads it back", async () => {
    const name = `${run}-legacy`;
    const written = await json(`/LEGACY/${name}/write`, { method: "POST" });
    expect(written).toEqual({ deletedOne: true, deletedMany: 1, tooMany: true, sync: "" });
    const read = await json(`/LEGACY/${name}/read`);
    expect(read).toEqual({
      single: "one",
      found: true,
      // JSON.parse keeps "__proto__" a key, as the Go side stored it.
      many: JSON.parse('{"b:1": "1", "b:2": "2", "__proto__": "p"}'),
      keys: ["__proto__", "b:1", "b:2", "single"],
      startAfter: ["b:2"],
    });
  });

  test("refuses SQL and Storage.Transaction with durable.ErrKVBacked", async () => {
    const out = await json(`/LEGACY/${run}-legacy-sql/sql`);
    console.log(`KV-backed SQL: ${out.exec}`);
    expect(out).toMatchObject({ execIs: true, queryIs: true, transaction: true, size: 0 });
    expect(out.exec).toContain("new_sqlite_classes");
  });
});
