// The conformance suite (internal/conformance) on local workerd: every scenario
// runs inside a real Durable Object of the conformance Worker, the same scenarios
// go test runs against durabletest. Both runs print the scenario count.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker } from "./harness.mjs";

const config = "internal/conformance/worker/wrangler.jsonc";

// The scenario list comes from the Worker itself, so it is read before the tests
// are declared; one server serves the listing and the runs.
const server = await startWorker({ config });
const listing = await (await server.fetch("/scenarios")).json();
console.log(`conformance: ${listing.count} scenarios on workerd`);

afterAll(() => server.stop());

describe("conformance on workerd", () => {
  beforeAll(() => expect(listing.count).toBeGreaterThanOrEqual(60));

  test.each(listing.scenarios.map((s) => [s.name]))("%s", async (name) => {
    const res = await server.fetch(`/run/${encodeURIComponent(name)}`, { method: "POST" });
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.passed, report.log.join("\n")).toBe(true);
  });
});
