import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PidFileDaemons } from "./pid-file-daemons.js";

describe("PidFileDaemons", { skip: process.platform !== "linux" && "reads /proc" }, () => {
  const prefix = mkdtempSync(join(tmpdir(), "miniodb-daemons-"));
  after(() => rmSync(prefix, { recursive: true, force: true }));

  /** A daemon as the deployments start them: in a session of its own, its pid in a file. */
  const startDaemon = (dir: string, name: string, args: string[], cwd = prefix) => {
    mkdirSync(join(prefix, dir), { recursive: true });
    const child = spawn(process.execPath, args, { cwd, detached: true, stdio: "ignore" });
    child.unref();
    writeFileSync(join(prefix, dir, name), `${child.pid}\n`);
    return child.pid!;
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("stops the daemons of its pid files, also one that ignores SIGTERM, and nothing else", async () => {
    const keepAlive = "setInterval(() => {}, 1000)";
    const marker = join(prefix, "etc/node.yaml");
    const node = startDaemon("run/a", "node.pid", ["-e", keepAlive, marker]);
    mkdirSync(join(prefix, "var/redis"), { recursive: true });
    // Known by its working directory under the prefix (as Redis, which rewrites its command line).
    const stubborn = startDaemon(
      "run/b",
      "redis.pid",
      ["-e", `process.on("SIGTERM", () => {}); ${keepAlive}`],
      join(prefix, "var/redis"),
    );
    // A pid file naming a process outside the deployment (a pid reused since): left alone.
    writeFileSync(join(prefix, "run/a/stale.pid"), `${process.pid}\n`);
    writeFileSync(join(prefix, "run/a/notes.txt"), "not a pid file");
    const daemons = new PidFileDaemons(prefix, ["run/a", "run/b", "run/missing"]);
    assert.deepEqual(daemons.pids().sort(), [node, stubborn].sort());
    await daemons.stop(500);
    assert.equal(alive(node), false, "stopped by SIGTERM");
    assert.equal(alive(stubborn), false, "killed after the grace period");
    assert.deepEqual(daemons.pids(), []);
  });

  it("kills at once without waiting", async () => {
    const pid = startDaemon("run/c", "node.pid", ["-e", "setInterval(() => {}, 1000)", join(prefix, "x")]);
    const daemons = new PidFileDaemons(prefix, ["run/c"]);
    daemons.killNow();
    for (let attempt = 0; alive(pid) && attempt < 200; attempt++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false);
  });
});
