import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarizeCpuProfile, type CpuProfile } from "./cpu-profile.js";

const frame = (functionName: string, url = "", lineNumber = -1) => ({ functionName, url, lineNumber });

/** Samples every 10 µs from t=1000: idle, write, write, GC, idle, encode. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)") },
    { id: 2, callFrame: frame("(idle)") },
    { id: 3, callFrame: frame("write", "file:///repo/packages/worker-node/src/worker.ts", 41) },
    { id: 4, callFrame: frame("(garbage collector)") },
    {
      id: 5,
      callFrame: frame("encode", "file:///repo/node_modules/@bufbuild/protobuf/dist/esm/to-binary.js", 9),
    },
  ],
  startTime: 1000,
  endTime: 1060,
  samples: [2, 3, 3, 4, 2, 5],
  timeDeltas: [0, 10, 10, 10, 10, 10],
};

describe("summarizeCpuProfile", () => {
  it("sums self time per frame and per package, largest first", () => {
    const summary = summarizeCpuProfile(profile);
    assert.equal(summary.totalMicros, 60);
    assert.equal(summary.idleMicros, 20);
    assert.equal(summary.gcMicros, 10);
    assert.deepEqual(
      summary.frames.slice(0, 2).find((entry) => entry.frame !== "(idle)"),
      {
        frame: "write packages/worker-node/src/worker.ts",
        module: "packages/worker-node",
        micros: 20,
      },
    );
    assert.ok(
      summary.modules.some(
        (entry) => entry.module === "node_modules/@bufbuild/protobuf" && entry.micros === 10,
      ),
    );
  });

  it("counts only the samples taken inside the window", () => {
    const summary = summarizeCpuProfile(profile, 1010, 1030);
    assert.equal(summary.totalMicros, 20);
    assert.equal(summary.idleMicros, 0);
    assert.deepEqual(
      summary.frames.map((entry) => entry.frame),
      ["write packages/worker-node/src/worker.ts"],
    );
  });
});
