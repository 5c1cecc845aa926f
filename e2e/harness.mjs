// Starts a Go Worker on local workerd (Miniflare, from wrangler's own packages)
// for end-to-end tests. The worker must have been built (see global-setup.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export const root = path.resolve(import.meta.dirname, "..");

// startWorker serves the Worker described by a wrangler config on 127.0.0.1 and
// a free port. persist is a folder for Durable Object state (SQLite files) that
// outlives the server; without it the state is in memory. bindings adds to or
// overrides the configuration's vars.
export async function startWorker({ config = "wrangler.jsonc", persist, bindings } = {}) {
  const configPath = path.resolve(root, config);
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(configPath);
  const mf = new Miniflare({
    ...workerOptions,
    bindings: { ...workerOptions.bindings, ...bindings },
    modules: true,
    scriptPath: main,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    host: "127.0.0.1",
    port: 0,
    durableObjectsPersist: persist ?? false,
  });
  const url = await mf.ready;
  return {
    url,
    fetch: (pathname, init) => fetch(new URL(pathname, url), init),
    stop: () => mf.dispose(),
    // The Miniflare instance, for events other than fetch (getWorker's
    // scheduled() and queue()).
    mf,
  };
}

// tempDir makes a folder that is removed by the returned cleanup function.
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}
