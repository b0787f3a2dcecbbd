#!/usr/bin/env node
// Runs a package's tests with node:test + tsx and fails when no test ran.
//
// Node 20's test runner does not expand globs, and `--test` with no files runs nothing and exits
// 0, so this script lists the files itself: every `*.test.ts` under `src/` and `test/` of the
// current package. Extra arguments are passed through to node (e.g. `--test-name-pattern=x`).
// Sources of sibling packages are loaded through the `@miniodb/source` export condition, so
// tests never need a build first.
//
// `--test-timeout` bounds each test and hook, and also each test file as a whole (Node 20 runs a
// file as one test): 10 minutes by default, as the longest end-to-end files take 3 minutes while
// the other packages' tests share the machine. A package passes a longer one after it.
//
// With TEST_FAILURES_DIR set to a directory, the failing tests of a package (their TAP lines
// with the error and stack) are also written there, one file per package, so that a run of many
// packages can print them together at its end.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

const cwd = process.cwd();
const files = [...findTests(join(cwd, "src")), ...findTests(join(cwd, "test"))]
  .map((file) => relative(cwd, file))
  .sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${cwd}/src or ${cwd}/test`);
  process.exit(1);
}

const reportDir = mkdtempSync(join(tmpdir(), "miniodb-test-"));
const tapFile = join(reportDir, "report.tap");
const args = [
  "--import",
  "tsx",
  "--conditions=@miniodb/source",
  "--test",
  "--test-timeout=600000",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  "--test-reporter=tap",
  `--test-reporter-destination=${tapFile}`,
  ...process.argv.slice(2),
  ...files,
];
const { TEST_FAILURES_DIR: failureDir, ...childEnv } = process.env;
const child = spawn(process.execPath, args, { stdio: "inherit", env: childEnv });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));

/** The `not ok` lines of a TAP report, each with its indented YAML block (error, stack). */
function failures(tap) {
  const lines = tap.split("\n");
  const kept = [];
  for (let index = 0; index < lines.length; index++) {
    const match = /^(\s*)not ok /.exec(lines[index]);
    if (!match) continue;
    kept.push(lines[index]);
    const yamlStart = `${match[1]}  ---`;
    const yamlEnd = `${match[1]}  ...`;
    if (lines[index + 1] !== yamlStart) continue;
    for (index++; index < lines.length; index++) {
      kept.push(lines[index]);
      if (lines[index] === yamlEnd) break;
    }
  }
  return kept.join("\n");
}

child.on("exit", (code, signal) => {
  const tap = existsSync(tapFile) ? readFileSync(tapFile, "utf8") : "";
  rmSync(reportDir, { recursive: true, force: true });
  if (failureDir && code !== 0) {
    mkdirSync(failureDir, { recursive: true });
    const name = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")).name ?? basename(cwd);
    const report = failures(tap) || `no TAP failure recorded (exit code ${code}, signal ${signal})`;
    writeFileSync(join(failureDir, `${name.replace(/[^\w.-]+/g, "_")}.tap`), `${report}\n`);
  }
  const tests = Number(tap.match(/^# tests (\d+)$/m)?.[1] ?? 0);
  if (code === 0 && tests === 0) {
    console.error(`node:test ran zero tests in ${files.length} file(s): failing`);
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
