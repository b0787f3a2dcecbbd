import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizeTableConfig, type TableEntry } from "@miniodb/core";
import { RowPreparer } from "./routed-rows.js";

const table: TableEntry = { name: "t", config: normalizeTableConfig({}), createdAt: new Date(1_000) };
/** Milliseconds sent as seconds: 1.7e12 s is 1.7e18 µs, beyond year 9999. */
const records = [
  { id: "a", timestampMicros: 1_700_000_000_000_000, payload: { n: 1 } },
  { id: "b", timestampMicros: 1_700_000_000_000_000_000, payload: { n: 2 } },
  { id: "c", payload: { n: 3 } },
];

describe("RowPreparer", () => {
  it("reports a timestamp out of range as that record's error and routes the others", () => {
    const { rows, errors } = new RowPreparer("q1").prepare(table, records, true);
    assert.deepEqual(
      rows.map((row) => row?.id),
      ["a", undefined, "c"],
    );
    assert.equal(rows[0]!.timestampMicros, 1_700_000_000_000_000);
    assert.deepEqual(
      errors.map(({ index, code }) => ({ index, code })),
      [{ index: 1, code: "invalid_argument" }],
    );
    assert.match(errors[0]!.message, /outside years 1000–9999/);
  });

  it("fails the whole write on such a record unless the write is partial", () => {
    assert.throws(() => new RowPreparer("q1").prepare(table, records, false), { code: "invalid_argument" });
  });
});
