// Shared steps of npm start and npm test: check the tools, install what is
// missing, and keep wrangler offline and inside the repository.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "..");
const MIN_NODE = 20;
const MIN_GO_MINOR = 26;

export function fail(message) {
  console.error(`\n✗ ${message}\n`);
  process.exit(1);
}

// checkTools fails with what to do when Node or Go is missing or too old.
export function checkTools() {
  const nodeMajor = Number(process.versions.node.split(".")[0]);
  if (nodeMajor < MIN_NODE) {
    fail(`Node.js ${MIN_NODE} or newer is required; this is ${process.version}. Install it from https://nodejs.org.`);
  }
  const go = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (go.error) {
    fail(`Go is not installed or not on PATH. Install Go 1.${MIN_GO_MINOR} or newer from https://go.dev/dl/, then check that \`go version\` works in this shell.`);
  }
  const version = go.stdout.trim();
  const minor = Number(/^go1\.(\d+)/.exec(version)?.[1]);
  if (minor < MIN_GO_MINOR) {
    fail(`Go 1.${MIN_GO_MINOR} or newer is required; found ${version}. Install it from https://go.dev/dl/.`);
  }
}

// offlineEnv keeps wrangler from calling home and from writing outside the repo.
export function offlineEnv() {
  const config = path.join(root, ".wrangler", "config");
  const tmp = path.join(root, ".wrangler", "tmp");
  mkdirSync(config, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    CI: "true",
    XDG_CONFIG_HOME: config,
    TMPDIR: tmp,
  };
}

// run runs a command with inherited output and fails the script if it fails.
export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) fail(`${cmd}: ${result.error.message}`);
  if (result.status !== 0) fail(`${[cmd, ...args].join(" ")} failed (exit ${result.status}); see above.`);
}

// install runs npm ci when node_modules is missing or older than the lock file,
// and downloads the Go modules.
export function install() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    console.log("→ npm ci (installing wrangler and vitest, pinned in package-lock.json)");
    run(process.platform === "win32" ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund"]);
  }
  run("go", ["mod", "download"]);
}

// freePort asks the OS for a free loopback port.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// bin is the path of an installed npm command.
export function bin(name) {
  return path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);
}

// spawnInherit starts a long-running command and forwards Ctrl-C to it.
export function spawnInherit(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}
