// npm start: build the village and serve it on local workerd through wrangler,
// at http://localhost:8787 (or $PORT), with its state in .wrangler/state.
import { bin, checkTools, freePort, install, offlineEnv, spawnInherit } from "./lib.mjs";

checkTools();
install();
const port = process.env.PORT || "8787";
const inspectorPort = process.env.INSPECTOR_PORT || String(await freePort());
console.log(`→ wrangler dev on http://localhost:${port} (Ctrl-C stops; state stays in .wrangler/state)`);
spawnInherit(
  bin("wrangler"),
  // Development shows what failed in 500 bodies; a deployed Worker does not
  // (DURABLE_ERROR_DETAILS, README "Guarantees").
  ["dev", "--port", port, "--ip", "127.0.0.1", "--inspector-port", inspectorPort, "--var", "DURABLE_ERROR_DETAILS:on", ...process.argv.slice(2)],
  offlineEnv(),
);
