// npm test: every test. Go formatting and vet (native and js/wasm), Go unit and
// conformance tests (native), then the end-to-end tests on local workerd.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { bin, checkTools, fail, install, offlineEnv, root, run } from "./lib.mjs";

const started = Date.now();
checkTools();
install();
const env = offlineEnv();

step("gofmt");
const fmt = spawnSync("gofmt", ["-l", "."], { cwd: root, encoding: "utf8" });
if (fmt.stdout.trim()) fail(`these files need gofmt -w:\n${fmt.stdout}`);

step("go vet (native and GOOS=js GOARCH=wasm)");
run("go", ["vet", "./..."]);
run("go", ["vet", "./..."], { env: { ...process.env, GOOS: "js", GOARCH: "wasm" } });

step("go test ./...");
const goCounts = goTest();

step("end-to-end tests on local workerd (vitest)");
const e2e = vitest();

const passed = goCounts.passed + e2e.passed;
const failed = goCounts.failed + e2e.failed;
const failures = [...goCounts.failures, ...e2e.failures];
console.log(`\nGo tests: ${goCounts.passed} passed, ${goCounts.failed} failed; end-to-end: ${e2e.passed} passed, ${e2e.failed} failed; ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failures.length > 0) {
  console.log(`\nfailed:`);
  for (const { name, message } of failures) console.log(`  ✗ ${name}\n      ${message.split("\n").slice(0, 6).join("\n      ")}`);
}
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || goCounts.exit !== 0 || e2e.exit !== 0 ? 1 : 0);

function step(title) {
  console.log(`\n→ ${title}`);
}

// goTest runs go test -json and prints what matters: each package's result, the
// output of failing tests, and the conformance scenario count.
function goTest() {
  const res = spawnSync("go", ["test", "-json", "./..."], { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 });
  if (res.error) fail(`go test: ${res.error.message}`);
  const counts = { passed: 0, failed: 0, exit: res.status, failures: [] };
  const outputs = new Map(); // "package test" → output lines, shown if the test fails
  for (const line of res.stdout.split("\n")) {
    if (!line.startsWith("{")) {
      if (line) console.log(line);
      continue;
    }
    const event = JSON.parse(line);
    const key = `${event.Package} ${event.Test ?? ""}`;
    if (event.Action === "output") {
      if (/conformance: \d+ scenarios/.test(event.Output)) process.stdout.write(event.Output.trimStart());
      if (!event.Test && /^(ok|FAIL|---|\?)\s/.test(event.Output)) process.stdout.write(event.Output);
      else if (!/^(=== |\s*--- (PASS|SKIP))/.test(event.Output)) outputs.set(key, [...(outputs.get(key) ?? []), event.Output]);
    }
    if (event.Action === "pass" && event.Test) counts.passed++;
    if (event.Action === "fail") {
      const output = outputs.get(key) ?? [];
      if (event.Test) {
        counts.failed++;
        // A parent test fails with its subtests: name only the innermost.
        counts.failures = counts.failures.filter((f) => !event.Test.startsWith(`${f.test}/`) || f.pkg !== event.Package);
        if (!counts.failures.some((f) => f.pkg === event.Package && f.test.startsWith(`${event.Test}/`))) {
          const message = output.map((l) => l.trim()).filter((l) => l && !/^--- FAIL/.test(l)).join("\n") || "(no output)";
          counts.failures.push({ pkg: event.Package, test: event.Test, name: `go: ${event.Package.replace(/^github.com\/durableobjects-on-go\/durable\/?/, "./")} ${event.Test}`, message });
        }
      } else if (counts.failures.every((f) => f.pkg !== event.Package)) {
        counts.failures.push({ pkg: event.Package, test: "", name: `go: ${event.Package} (build or package failure)`, message: output.join("").trim() || "(no output)" });
      }
      process.stdout.write(output.join(""));
    }
  }
  process.stderr.write(res.stderr);
  if (res.status !== 0 && counts.failed === 0) {
    counts.failed = 1; // a build failure
    if (counts.failures.length === 0) counts.failures.push({ name: "go test", message: res.stderr.trim().split("\n").slice(-6).join("\n") });
  }
  return counts;
}

function vitest() {
  const report = `${env.TMPDIR}/vitest-report.json`;
  const res = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], {
    cwd: root,
    stdio: "inherit",
    env,
  });
  if (res.error) fail(`vitest: ${res.error.message}`);
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    const failures = [];
    for (const file of json.testResults) {
      const where = path.relative(root, file.name);
      for (const t of file.assertionResults.filter((a) => a.status === "failed")) {
        failures.push({ name: `e2e: ${where} > ${t.fullName}`, message: stripAnsi(t.failureMessages.join("\n")) });
      }
      if (file.status === "failed" && file.assertionResults.every((a) => a.status !== "failed")) {
        failures.push({ name: `e2e: ${where}`, message: stripAnsi(file.message || "the file failed before its tests ran") });
      }
    }
    const extra = res.status !== 0 && failures.length === 0 ? 1 : 0;
    if (extra) failures.push({ name: "vitest", message: `exited with status ${res.status}; see above` });
    return { passed: json.numPassedTests, failed: json.numFailedTests + extra, exit: res.status, failures };
  } catch {
    return { passed: 0, failed: 1, exit: res.status || 1, failures: [{ name: "vitest", message: "no report was written; see above" }] };
  }
}

function stripAnsi(s) {
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}
