// Builds the Go Workers the end-to-end tests serve, once per test run.
import { spawnSync } from "node:child_process";
import { root } from "./harness.mjs";

export const workers = [
  { config: "wrangler.jsonc", pkg: "./village" },
  { config: "internal/conformance/worker/wrangler.jsonc", pkg: "./internal/conformance/worker" },
  { config: "e2e/stressworker/wrangler.jsonc", pkg: "./e2e/stressworker" },
  { config: "e2e/streamworker/wrangler.jsonc", pkg: "./e2e/streamworker" },
  { config: "e2e/alarmworker/wrangler.jsonc", pkg: "./e2e/alarmworker" },
  { config: "e2e/wsworker/wrangler.jsonc", pkg: "./e2e/wsworker" },
  { config: "e2e/storageworker/wrangler.jsonc", pkg: "./e2e/storageworker" },
  { config: "e2e/rpcworker/wrangler.jsonc", pkg: "./e2e/rpcworker" },
  { config: "e2e/platformworker/wrangler.jsonc", pkg: "./e2e/platformworker" },
  { config: "e2e/badinputworker/wrangler.jsonc", pkg: "./e2e/badinputworker" },
  { config: "e2e/faultworker/wrangler.jsonc", pkg: "./e2e/faultworker" },
  { config: "e2e/loadworker/wrangler.jsonc", pkg: "./e2e/loadworker" },
];

// E2E_BUILD=./e2e/alarmworker,./village builds only the Workers listed (by
// package), for running one test file while working on it; npm test builds all.
export default function setup() {
  const only = process.env.E2E_BUILD?.split(",").filter(Boolean);
  for (const { config, pkg } of workers) {
    if (only && !only.includes(pkg)) continue;
    const build = spawnSync("go", ["run", "./cmd/durable-build", "-config", config, pkg], {
      cwd: root,
      stdio: "inherit",
    });
    if (build.error) throw new Error(`running go: ${build.error.message} (is Go 1.26+ installed and on PATH?)`);
    if (build.status !== 0) throw new Error(`durable-build failed for ${config} (see its output above)`);
  }
}
