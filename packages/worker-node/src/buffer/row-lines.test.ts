import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RowLines, splitRowLines } from "./row-lines.js";

const line = fc.string({ unit: "grapheme", maxLength: 12 }).map((text) => JSON.stringify({ v: text }));

function ndjsonOf(rows: RowLines, length?: number, pieceBytes?: number): string {
  return Buffer.concat([...rows.ndjson(length, pieceBytes)]).toString("utf8");
}

describe("RowLines", () => {
  it("gives back the lines pushed, as lines and as NDJSON, in order", () => {
    fc.assert(
      fc.property(fc.array(fc.array(line, { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (writes) => {
        const rows = new RowLines();
        for (const lines of writes) rows.push(Buffer.from(lines.join("\n")), lines.length);
        const all = writes.flat();
        assert.deepEqual([...rows.lines()], all);
        assert.equal(rows.length, all.length);
        const ndjson = all.map((text) => `${text}\n`).join("");
        assert.equal(rows.byteLength, Buffer.byteLength(ndjson));
        assert.equal(ndjsonOf(rows), ndjson);
        assert.equal(ndjsonOf(rows, all.length, 1), ndjson, "in pieces of one chunk each");
      }),
    );
  });

  it("reads a prefix of any length, as lines and as NDJSON", () => {
    const rows = RowLines.of(["a", "b"]);
    rows.push(Buffer.from("c\nd\ne"), 3);
    for (let length = 0; length <= 5; length++) {
      const expected = ["a", "b", "c", "d", "e"].slice(0, length);
      assert.deepEqual([...rows.lines(length)], expected);
      assert.equal(ndjsonOf(rows, length), expected.map((text) => `${text}\n`).join(""));
    }
  });

  it("copies and filters without changing the original", () => {
    const rows = RowLines.of(["a", "bb", "c"]);
    const copy = rows.copy();
    copy.pushAll(RowLines.of(["d"]));
    assert.deepEqual([...rows.lines()], ["a", "bb", "c"]);
    assert.deepEqual([...copy.lines()], ["a", "bb", "c", "d"]);
    assert.deepEqual([...rows.filter((text) => text.length === 1).lines()], ["a", "c"]);
  });

  it("filters chunk by chunk, keeping runs of kept lines as views of the same bytes", () => {
    const rows = RowLines.of(["a", "b", "c"]);
    rows.push(Buffer.from("d\ne"), 2);
    const kept = rows.filter((text) => text !== "b");
    assert.deepEqual([...kept.lines()], ["a", "c", "d", "e"]);
    assert.equal([...kept.ndjson(kept.length, 1)].length, 3, "runs a, c and d–e");
    assert.equal(kept.byteLength, Buffer.byteLength("a\nc\nd\ne\n"));
    assert.equal(rows.filter(() => false).length, 0);
  });

  it("fails loudly when a chunk holds another number of lines than it was pushed with", () => {
    const rows = new RowLines();
    rows.push(Buffer.from("a\nb"), 3);
    assert.throws(() => [...rows.lines()], /out of step/);
  });
});

describe("splitRowLines", () => {
  it("splits lines by key, keeping their order and runs of one key together", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom("p", "q", "r")), { minLength: 1, maxLength: 20 }),
        (rows) => {
          const bytes = Buffer.from(rows.map(([text]) => text).join("\n"));
          const split = splitRowLines(
            bytes,
            rows.length,
            rows.map(([, key]) => key),
          );
          for (const key of ["p", "q", "r"]) {
            const expected = rows.filter(([, k]) => k === key).map(([text]) => text);
            const lines = new RowLines();
            for (const run of split.get(key) ?? []) lines.push(run.bytes, run.count);
            assert.deepEqual([...lines.lines()], expected);
          }
        },
      ),
    );
  });
});
