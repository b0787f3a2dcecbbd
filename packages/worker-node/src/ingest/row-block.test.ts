import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkTimestampMicros, serializePayload, Utf8Payload, type SerializedPayload } from "@miniodb/core";
import {
  decodeRowBlock,
  encodeRowBlock,
  rowBlockOfLines,
  RowBlockLinesWriter,
  type BlockRow,
} from "./row-block.js";

const row = (id: string, payload: Record<string, unknown>, timestampMicros?: number): BlockRow => ({
  id,
  timestampMicros,
  payload: serializePayload(payload),
});

/** A payload's text, keys and types, comparable whichever form it is in. */
const fieldsOf = ({ json, keys, types }: SerializedPayload) => ({ json, keys, types });

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
        payload: fieldsOf(record.encodedPayload!.serialize()),
      })),
      rows.map((source) => ({
        id: source.id === "" ? undefined : source.id,
        timestampMicros: source.timestampMicros,
        payload: source.payload,
      })),
    );
  });

  it("cut from lines written once, hold the same records as a block of the same rows", () => {
    const rows = [
      row("a", { n: 1, s: "x" }, 1_700_000_000_000_001),
      row("b", { s: "tab\there", n: 2 }),
      row("c", { n: 3, s: "y" }, 5),
      row("d", { other: [1, 2] }),
    ];
    const writer = new RowBlockLinesWriter();
    for (const source of rows) writer.add(source.id, source.timestampMicros, source.payload);
    assert.equal(writer.shapeCount, 3, "a and c share one shape although b comes between them");
    const lines = writer.build();
    const records = (block: Uint8Array) =>
      decodeRowBlock(block).map((record) => ({
        id: record.id,
        timestampMicros: record.timestampMicros,
        payload: fieldsOf(record.encodedPayload!.serialize()),
      }));
    for (const indices of [[0, 1, 2, 3], [3, 0], [2], []])
      assert.deepEqual(
        records(rowBlockOfLines(lines, indices)),
        records(encodeRowBlock(indices.map((index) => rows[index]!))),
        `rows ${indices.join(", ")}`,
      );
  });

  it("carry any id and any integer timestamp through exactly", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.oneof(
              fc.string({ unit: "grapheme" }),
              fc.string({ unit: "binary" }),
              fc.constantFrom('a"b', "c\\d", "\t", "é"),
            ),
            timestampMicros: fc.option(
              fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(2 ** 57, -(2 ** 56))),
              { nil: undefined },
            ),
          }),
          { maxLength: 8 },
        ),
        (records) => {
          const rows = records.map(({ id, timestampMicros }) => row(id, { n: 1 }, timestampMicros));
          const decoded = decodeRowBlock(encodeRowBlock(rows));
          assert.deepEqual(
            decoded.map((record) => [record.id, record.timestampMicros]),
            rows.map((source) => [source.id === "" ? undefined : source.id, source.timestampMicros]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps payload text with whitespace between tokens readable, given as text or as bytes", () => {
    const payload = {
      json: '{\n\t"a": 1,\t"b": "x\\ty ü"\n}',
      keys: ["a", "b"],
      types: ["BIGINT" as const, "VARCHAR" as const],
    };
    const asBytes = new Utf8Payload(Buffer.from(payload.json), payload.keys, payload.types);
    const records = decodeRowBlock(
      encodeRowBlock([
        { id: "a", payload },
        { id: "b", payload: asBytes },
      ]),
    );
    for (const record of records)
      assert.deepEqual(JSON.parse(record.encodedPayload!.serialize().json), { a: 1, b: "x\ty ü" });
  });

  it("carries payloads given as bytes like the same payloads given as text", () => {
    const texts = [serializePayload({ n: 1, s: "ünï" }), serializePayload({}), serializePayload({ a: [1] })];
    const bytes = texts.map((one) => new Utf8Payload(Buffer.from(one.json), one.keys, one.types));
    const rowsOf = (payloads: typeof texts) =>
      payloads.map((payload, index) => ({ id: `r${index}`, payload }));
    assert.deepEqual(encodeRowBlock(rowsOf(bytes)), encodeRowBlock(rowsOf(texts)));
  });

  it("refuses malformed blocks with invalid_argument", () => {
    const valid = Buffer.from(encodeRowBlock([row("a", { n: 1 })])).toString("utf8");
    for (const text of [
      "not json",
      "{}",
      '[[["n"],["BIGINT","VARCHAR"]]]\n"a"\t\t0\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t\t1\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t1.5\t0\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t \t0\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t0x10\t0\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t1e3\t0\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t+5\t0\t{}',
      '[[["n"],["BIGINT"]]]\n7\t\t0\t{}',
      '[[["n"],["BIGINT"]]]\na\t\t0\t{}',
      '[[["n"],["BIGINT"]]]\n"a"\t\t0',
      '[[["n"],["BIGINT"]]]\n"a"\t\t\t{}',
      `${valid}\n"b"`,
      '[[["n"],["BIGINT"]]]\n"a"\t\t0\t',
      '[[["n"],["BIGINT"]]]\n"a"\t\t0\t{"n":1',
      '[[["n"],["BIGINT"]]]\n"a"\t\t0\t[1]',
    ])
      assert.throws(() => decodeRowBlock(Buffer.from(text)), { code: "invalid_argument" }, text);
    const notUtf8 = Buffer.concat([
      Buffer.from('[[["n"],["BIGINT"]]]\n"a"\t\t0\t{"n":"'),
      Buffer.of(0xff),
      Buffer.from('"}'),
    ]);
    assert.throws(() => decodeRowBlock(notUtf8), { code: "invalid_argument", message: /not UTF-8/ });
  });

  it("passes an integer timestamp out of range on to the record's own check instead of refusing the block", () => {
    // Milliseconds sent as seconds: 1.7e12 s is 1.7e18 µs, beyond any supported year.
    const text = '[[["n"],["BIGINT"]]]\n"a"\t1700000000000000000\t0\t{"n":1}\n"b"\t-5\t0\t{"n":2}';
    const [tooLate, early] = decodeRowBlock(Buffer.from(text));
    assert.equal(tooLate!.timestampMicros, 1_700_000_000_000_000_000);
    assert.equal(early!.timestampMicros, -5);
    assert.throws(() => checkTimestampMicros(tooLate!.timestampMicros!), { code: "invalid_argument" });
  });
});
