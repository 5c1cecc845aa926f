// Starts a Go Worker on local workerd (Miniflare, from wrangler's own packages)
// for end-to-end tests. The worker must have been built (see global-setup.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export const root = path.resolve(import.meta.dirname, "..");

// workerd's own output goes through the console, so that vitest files it
// under the test that caused it (and shows it only if that test fails).
function handleRuntimeStdio(stdout, stderr) {
  stdout.on("data", (chunk) => console.log(String(chunk).trimEnd()));
  stderr.on("data", (chunk) => console.error(String(chunk).trimEnd()));
}

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
    handleRuntimeStdio,
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

// startWorkers serves several Workers in one workerd, so that their
// Durable Object bindings (script_name) reach each other. Each entry is
// either { config, name } (a wrangler config and its "name", as for startWorker) or Miniflare
// worker options with a name (a plain JavaScript Worker). The first entry
// answers the returned fetch; worker(name) fetches another by name.
// preventEviction: true on a config entry keeps its objects in memory while
// idle (workerd evicts them after 10 s otherwise), for tests that count them.
export async function startWorkers(entries, { persist } = {}) {
  const workers = entries.map((entry) => {
    if (!entry.config) return { modules: true, ...entry };
    const { workerOptions, main } = unstable_getMiniflareWorkerOptions(path.resolve(root, entry.config));
    let durableObjects = workerOptions.durableObjects;
    if (entry.preventEviction) {
      durableObjects = Object.fromEntries(
        Object.entries(durableObjects ?? {}).map(([binding, d]) => [
          binding,
          { ...(typeof d === "string" ? { className: d } : d), unsafePreventEviction: true },
        ]),
      );
    }
    return {
      ...workerOptions,
      durableObjects,
      name: entry.name, // wrangler's options leave the name out; bindings across Workers need it
      modules: true,
      scriptPath: main,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    };
  });
  const mf = new Miniflare({ workers, host: "127.0.0.1", port: 0, durableObjectsPersist: persist ?? false, handleRuntimeStdio });
  const url = await mf.ready;
  return {
    url,
    fetch: (pathname, init) => fetch(new URL(pathname, url), init),
    worker: async (name) => {
      const w = await mf.getWorker(name);
      return (pathname, init) => w.fetch(new URL(pathname, "http://localhost"), init);
    },
    stop: () => mf.dispose(),
  };
}

// tempDir makes a folder that is removed by the returned cleanup function.
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}
