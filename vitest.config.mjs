import { defineConfig } from "vitest/config";

// End-to-end tests: Go Workers on local workerd, over HTTP. Go's own tests run
// with go test (npm test runs both).
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.mjs"],
    globalSetup: ["e2e/global-setup.mjs"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
    },
  },
});
