import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { WriteAheadLog } from "./write-ahead-log.js";

/**
 * Crash test: a child process appends from several concurrent writers and prints every
 * acknowledged `<lsn> <payload>` line; the parent kills it with SIGKILL mid-flight, reopens the
 * log and checks that every acknowledged entry is there exactly once with its payload.
 *
 * This file is also the child: run with `--wal-crash-child <directory>` it only writes.
 */
const CHILD_FLAG = "--wal-crash-child";
const WRITERS = 8;
const ITERATIONS = 5;
const KILL_AFTER_MS = 300;

if (process.argv[2] === CHILD_FLAG) {
  await runWriters(process.argv[3]!);
} else {
  describe("WAL crash safety", () => {
    it(`keeps every acknowledged entry exactly once across ${ITERATIONS} kill -9s`, async (t) => {
      const root = await mkdtemp(join(tmpdir(), "miniodb-wal-crash-"));
      t.after(() => rm(root, { recursive: true, force: true }));
      const directory = join(root, "wal");
      const acknowledged = new Map<bigint, string>();
      for (let iteration = 0; iteration < ITERATIONS; iteration++) {
        const acks = await runAndKill(directory);
        assert.ok(acks.size > 0, `iteration ${iteration}: the child acknowledged nothing`);
        for (const [lsn, payload] of acks) {
          assert.ok(!acknowledged.has(lsn), `LSN ${lsn} acknowledged twice`);
          acknowledged.set(lsn, payload);
        }
        const inLog = await verify(directory, acknowledged);
        console.log(
          `crash ${iteration + 1}: ${acks.size} acknowledged by the child, ${inLog} entries in the log`,
        );
      }
    });
  });
}

async function runWriters(directory: string): Promise<void> {
  setTimeout(() => process.exit(2), 30_000).unref(); // never outlive a parent that went away
  const wal = await WriteAheadLog.open({ directory, segmentBytes: 32 * 1024 });
  process.stdout.write("ready\n");
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let n = 0; ; n++) {
        const payload = `${process.pid}:${writer}:${n}:${"x".repeat((n * 7) % 300)}`;
        const lsn = await wal.append(Buffer.from(payload));
        // Synchronous on pipes (Linux): the line is in the pipe before the next append starts.
        process.stdout.write(`${lsn} ${payload}\n`);
      }
    }),
  );
}

/**
 * Starts a child writer, SIGKILLs it ~300 ms after its first acknowledgement (on a busy machine
 * the first ones can take longer than that), returns the acknowledged entries.
 */
async function runAndKill(directory: string): Promise<Map<bigint, string>> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@miniodb/source",
      fileURLToPath(import.meta.url),
      CHILD_FLAG,
      directory,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_, signal) => resolve(signal)),
  );
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let killScheduled = false;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    // "ready\n" and the first acknowledged line, complete.
    if (!killScheduled && stdout.startsWith("ready\n") && stdout.indexOf("\n", 6) > 0) {
      killScheduled = true;
      setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    }
  });
  const signal = await exited;
  clearTimeout(killer);
  assert.equal(signal, "SIGKILL", `child ended on its own: ${stderr}`);
  const lines = stdout.split("\n").slice(1, -1); // drop "ready" and a half-printed last line
  return new Map(
    lines.map((line) => {
      const space = line.indexOf(" ");
      return [BigInt(line.slice(0, space)), line.slice(space + 1)];
    }),
  );
}

/** Reopens the log, checks it against the acknowledged entries and returns how many entries it holds. */
async function verify(directory: string, acknowledged: Map<bigint, string>): Promise<number> {
  const wal = await WriteAheadLog.open({ directory, segmentBytes: 32 * 1024 });
  try {
    const inLog = new Map<bigint, string>();
    const seen = new Map<string, number>();
    let expectedLsn = 1n;
    for await (const { lsn, payload } of wal.replay()) {
      assert.equal(lsn, expectedLsn++, "LSNs in the log are consecutive from 1");
      const text = payload.toString();
      inLog.set(lsn, text);
      seen.set(text, (seen.get(text) ?? 0) + 1);
    }
    for (const [lsn, payload] of acknowledged) {
      assert.equal(inLog.get(lsn), payload, `acknowledged LSN ${lsn}`);
      assert.equal(seen.get(payload), 1, `acknowledged payload at LSN ${lsn} appears once`);
    }
    return inLog.size;
  } finally {
    await wal.close();
  }
}
