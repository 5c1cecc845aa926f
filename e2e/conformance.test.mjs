// The conformance suite (internal/conformance) on local workerd: every scenario
// runs inside a real Durable Object of the conformance Worker, the same scenarios
// go test runs against durabletest. Both runs check that they ran exactly the
// scenarios of internal/conformance/scenarios.txt, so neither can skip one.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { root, startWorker } from "./harness.mjs";

const config = "internal/conformance/worker/wrangler.jsonc";
const expected = readFileSync(path.join(root, "internal/conformance/scenarios.txt"), "utf8").split("\n").filter(Boolean);

// The scenario list comes from the Worker itself, so it is read before the tests
// are declared; one server serves the listing and the runs.
const server = await startWorker({ config });
const listing = await (await server.fetch("/scenarios")).json();
console.log(`conformance: ${listing.count} scenarios on workerd`);

afterAll(() => server.stop());

const passed = new Set();

describe("conformance on workerd", () => {
  test("the Worker lists the scenarios of scenarios.txt", () => {
    expect(listing.scenarios.map((s) => s.name)).toEqual(expected);
  });

  test.each(listing.scenarios.map((s) => [s.name]))("%s", async (name) => {
    const res = await server.fetch(`/run/${encodeURIComponent(name)}`, { method: "POST" });
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.passed, report.log.join("\n")).toBe(true);
    passed.add(name);
  });

  // Declared last, so it runs after every scenario (vitest runs a file's tests
  // in order); a -t filter that leaves scenarios out leaves this out too.
  test("every scenario of scenarios.txt ran and passed", () => {
    expect(expected.filter((name) => !passed.has(name))).toEqual([]);
  });
});
