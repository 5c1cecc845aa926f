import { defineConfig } from "vitest/config";

// End-to-end tests: Go Workers on local workerd, over HTTP. Go's own tests run
// with go test (npm test runs both).
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.mjs"],
    globalSetup: ["e2e/global-setup.mjs"],
    testTimeout: 60_000,
    // Tests that pass print nothing: many provoke panics and runtime exits on
    // purpose. A failing test shows everything it and its workerd printed.
    silent: "passed-only",
    hookTimeout: 120_000,
    env: {
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
    },
  },
});
