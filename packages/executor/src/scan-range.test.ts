import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareIds } from "./scan-range.js";

const sign = (value: number) => Math.sign(value);

describe("compareIds", () => {
  it("orders ids by their UTF-8 bytes, as DuckDB orders VARCHARs", () => {
    const ids = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }));
    fc.assert(
      fc.property(ids, ids, (a, b) => {
        assert.equal(sign(compareIds(a, b)), sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it("puts characters beyond the BMP after U+E000–U+FFFF, unlike UTF-16 order", () => {
    assert.ok(compareIds("a\u{1F600}", "a\uFFFD") > 0);
    assert.ok(compareIds("\uE000", "\u{10000}") < 0);
    assert.ok(compareIds("\u{1F600}", "\u{1F601}") < 0);
    assert.equal(compareIds("q-1", "q-1"), 0);
    assert.ok(compareIds("q-1", "q-10") < 0);
  });
});
