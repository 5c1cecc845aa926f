// A new project in one command, as a user makes it: durable-build init writes
// it, its own go test passes, its build command builds it, and local workerd
// serves it. Then the dev loop: a build that fails under wrangler dev serves the
// compiler's message, and the next good build serves the Worker again.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { root, startWorker } from "./harness.mjs";

// Under the repository's ignored .wrangler/tmp rather than the system's temp
// folder: Miniflare refuses module paths that leave its working folder ("..").
mkdirSync(path.join(root, ".wrangler", "tmp"), { recursive: true });
const parent = mkdtempSync(path.join(root, ".wrangler", "tmp", "init-"));
const project = path.join(parent, "hello");
afterAll(() => rmSync(parent, { recursive: true, force: true }));

// Offline on purpose: the project must need no module beyond those this
// checkout already uses (GOPROXY=off fails on any download).
const goEnv = { ...process.env, GOPROXY: "off", GOFLAGS: "-mod=mod" };

function run(cmd, args, { cwd = project, env = goEnv } = {}) {
  const res = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  return res;
}

function mustRun(cmd, args, options) {
  const res = run(cmd, args, options);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${res.status}:\n${res.stdout}${res.stderr}`);
  return res;
}

async function get(worker, pathname, headers) {
  const resp = await worker.fetch(pathname, { headers });
  return { status: resp.status, type: resp.headers.get("content-type"), body: await resp.text() };
}

// build runs the project's build command as wrangler dev runs it.
const devBuild = () => run("go", ["tool", "durable-build", "./worker"], { env: { ...goEnv, WRANGLER_COMMAND: "dev" } });

test("init writes a project that passes its test, builds and serves", async () => {
  const started = Date.now();
  const init = mustRun("go", ["run", "./cmd/durable-build", "init", project], { cwd: root });
  expect(init.stdout).toContain("npm start");

  mustRun("go", ["test", "./..."]);
  const build = mustRun("go", ["tool", "durable-build", "./worker"]);
  expect(build.stderr).toContain("wrote build/worker.mjs");

  const worker = await startWorker({ config: path.join(project, "wrangler.jsonc") });
  try {
    expect(await get(worker, "/count/ada")).toMatchObject({ status: 200, body: "1\n" });
    console.log(`init to first response: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(await get(worker, "/count/ada")).toMatchObject({ status: 200, body: "2\n" });
    expect(await get(worker, "/count/bob")).toMatchObject({ status: 200, body: "1\n" });
  } finally {
    await worker.stop();
  }

  // Run natively, the program names the command that serves it here.
  const native = run("go", ["run", "./worker"]);
  expect(native.stderr).toContain("exit status 2"); // go run reports the program's exit code
  expect(native.stderr).toContain("Run it locally:  npm start");
}, 300_000); // builds a new module from scratch: slow on a loaded machine

test("a failed build under wrangler dev serves its errors, and the next build serves the Worker", async () => {
  const file = path.join(project, "worker", "worker.go");
  const good = readFileSync(file, "utf8");
  // An error whose message holds < and quotes, which the HTML page must escape.
  writeFileSync(file, `${good}\nvar broken = 1 < "one"\n`);
  try {
    const failed = devBuild();
    expect(failed.status, failed.stderr).toBe(0); // so wrangler dev keeps serving
    expect(failed.stderr).toContain("wrangler dev answers every request with a 500");

    const worker = await startWorker({ config: path.join(project, "wrangler.jsonc") });
    try {
      const text = await get(worker, "/count/ada");
      expect(text.status).toBe(500);
      expect(text.type).toContain("text/plain");
      expect(text.body).toContain('worker/worker.go:');
      expect(text.body).toContain('1 < "one"');
      const page = await get(worker, "/", { Accept: "text/html,*/*" });
      expect(page.status).toBe(500);
      expect(page.type).toContain("text/html");
      expect(page.body).toContain("1 &lt; &#34;one&#34;");
      expect(page.body).not.toContain('1 < "one"');
    } finally {
      await worker.stop();
    }

    // Outside wrangler dev (deploy, CI), a failed build still fails.
    const ci = run("go", ["tool", "durable-build", "./worker"]);
    expect(ci.status).toBe(1);
    expect(ci.stderr).toContain("fix the Go errors above");
  } finally {
    writeFileSync(file, good);
  }

  const fixed = devBuild();
  expect(fixed.status, fixed.stderr).toBe(0);
  expect(fixed.stderr).toContain("wrote build/worker.mjs");
  const worker = await startWorker({ config: path.join(project, "wrangler.jsonc") });
  try {
    expect(await get(worker, "/count/ada")).toMatchObject({ status: 200, body: "1\n" });
  } finally {
    await worker.stop();
  }
}, 300_000);
