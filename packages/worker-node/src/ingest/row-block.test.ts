import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serializePayload } from "@miniodb/core";
import { decodeRowBlock, encodeRowBlock, type BlockRow } from "./row-block.js";

const row = (id: string, payload: Record<string, unknown>, timestampMicros?: number): BlockRow => ({
  id,
  timestampMicros,
  payload: serializePayload(payload),
});

describe("row blocks", () => {
  it("carry every record's id, timestamp and serialised payload through, sharing shapes", () => {
    const rows = [
      row("a", { n: 1, s: "x" }, 1_700_000_000_000_001),
      row("", { n: 2, s: 'line\nbreak "quoted" ünï' }),
      row("c", { s: null, n: 3.5 }, 0),
      row("d\n|1:x", { "k\n,|": true, "": [1, { a: 2 }] }),
      row("e", {}),
    ];
    const block = encodeRowBlock(rows);
    const shapes = JSON.parse(Buffer.from(block).toString("utf8").split("\n")[0]!) as unknown[];
    assert.equal(shapes.length, 4, "records with the same keys and types share one shape");
    const decoded = decodeRowBlock(block);
    assert.deepEqual(
      decoded.map((record) => ({
        id: record.id,
        timestampMicros: record.timestampMicros,
        payload: record.encodedPayload!.serialize(),
      })),
      rows.map((source) => ({
        id: source.id === "" ? undefined : source.id,
        timestampMicros: source.timestampMicros,
        payload: source.payload,
      })),
    );
  });

  it("refuses malformed blocks with invalid_argument", () => {
    const valid = Buffer.from(encodeRowBlock([row("a", { n: 1 })])).toString("utf8");
    for (const text of [
      "not json",
      "{}",
      '[[["n"],["BIGINT","VARCHAR"]]]\n["a",null,0,"{}"]',
      '[[["n"],["BIGINT"]]]\n["a",null,1,"{}"]',
      '[[["n"],["BIGINT"]]]\n["a",1.5,0,"{}"]',
      '[[["n"],["BIGINT"]]]\n[7,null,0,"{}"]',
      '[[["n"],["BIGINT"]]]\n["a",null,0,{}]',
      `${valid}\n["b"]`,
    ])
      assert.throws(() => decodeRowBlock(Buffer.from(text)), { code: "invalid_argument" }, text);
  });
});
