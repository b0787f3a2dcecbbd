import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sourceMapProblems, type SourceMap } from "./source-map-problems.js";

describe("sourceMapProblems", () => {
  const maps: Record<string, SourceMap> = {
    "dist/a.js.map": { sources: ["../src/a.ts"], sourcesContent: ["export const a = 1;"] },
    "dist/b.js.map": { sources: ["../src/b.ts"] },
    "dist/b.d.ts.map": { sources: ["../src/b.ts"] },
    "dist/c.js.map": { sources: ["c.ts"] },
  };
  const read = (file: string) => maps[file]!;

  it("accepts maps with embedded sources or sources that ship (control case)", () => {
    assert.deepEqual(
      sourceMapProblems(["dist/a.js", "dist/a.js.map", "dist/c.js.map", "dist/c.ts"], read),
      [],
    );
    assert.deepEqual(sourceMapProblems(["dist/b.js.map", "src/b.ts"], read), []);
  });

  it("reports maps whose sources are neither embedded nor shipped", () => {
    assert.deepEqual(sourceMapProblems(["dist/b.js.map", "dist/b.d.ts.map", "dist/c.js.map"], read), [
      "dist/b.js.map points at src/b.ts, which is not in the tarball",
      "dist/b.d.ts.map points at src/b.ts, which is not in the tarball",
      "dist/c.js.map points at dist/c.ts, which is not in the tarball",
    ]);
  });
});
