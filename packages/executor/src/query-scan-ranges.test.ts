import assert from "node:assert/strict";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DataFile } from "@miniodb/core";
import { DuckDbEngine } from "./duckdb-engine.js";
import { queryScanRanges } from "./query-scan-ranges.js";
import { fileInRange, type ScanRange } from "./scan-range.js";

const DAY = 86_400_000_000;
const JAN_1 = Date.UTC(2024, 0, 1) * 1000;

describe("queryScanRanges over DuckDB's parser", () => {
  let engine: DuckDbEngine;
  before(async () => {
    const cache = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-ranges-")));
    engine = await DuckDbEngine.create({ allowedDirectory: cache, threads: 1, connections: 1 });
  });
  after(() => engine?.close());
  const rangeOf = async (sql: string, table = "users") =>
    queryScanRanges(await engine.parse(sql), [table, "orders"]).get(table);

  const cases: Array<[string, ScanRange | undefined]> = [
    ["SELECT * FROM users WHERE id = 'u-1'", { ids: ["u-1"] }],
    ["SELECT * FROM users u WHERE u.id IN ('a', 'b') AND age > 3", { ids: ["a", "b"] }],
    ["SELECT * FROM users WHERE 'm' <= id AND id < 'p'", { idMin: "m", idMax: "p" }],
    [
      "SELECT * FROM users WHERE timestamp >= '2024-01-01' AND timestamp < TIMESTAMP '2024-01-02 00:00:00'",
      { timestampMin: JAN_1, timestampMax: JAN_1 + DAY },
    ],
    [
      "SELECT count(*) FROM users WHERE timestamp BETWEEN '2024-01-01T00:00:00.5Z' AND '2024-01-02'",
      { timestampMin: JAN_1 + 500_000, timestampMax: JAN_1 + DAY },
    ],
    ["SELECT * FROM users WHERE id = 'a' UNION ALL SELECT * FROM users WHERE id = 'b'", { ids: ["a", "b"] }],
    ["SELECT * FROM users WHERE id = 'a' OR id = 'b'", undefined],
    ["SELECT * FROM users WHERE id = 'a' UNION ALL SELECT * FROM users", undefined],
    ["SELECT * FROM users u JOIN orders o ON o.id = u.id WHERE u.id = 'a'", undefined],
    ["SELECT * FROM users WHERE id > 5", undefined],
    ["SELECT * FROM users WHERE timestamp > '2024-01-01 10:00:00+02'", undefined],
    ["SELECT * FROM users WHERE other.id = 'a'", undefined],
    ["SELECT * FROM users WHERE id IN (SELECT id FROM orders)", undefined],
  ];
  for (const [sql, expected] of cases) {
    it(`${sql} → ${JSON.stringify(expected)}`, async () => {
      const found = await rangeOf(sql);
      const range = found && { ...found, ids: found.ids && [...found.ids].sort() };
      const defined =
        range && Object.fromEntries(Object.entries(range).filter(([, value]) => value !== undefined));
      assert.deepEqual(defined, expected);
    });
  }
});

describe("fileInRange", () => {
  const file = { minId: "b", maxId: "d", minTimestamp: 100, maxTimestamp: 200 } as DataFile;
  const cases: Array<[ScanRange, boolean]> = [
    [{}, true],
    [{ ids: ["a", "e"] }, false],
    [{ ids: ["a", "c"] }, true],
    [{ ids: ["d"] }, true],
    [{ idMin: "d" }, true],
    [{ idMin: "da" }, false],
    [{ idMax: "a" }, false],
    [{ timestampMin: 200 }, true],
    [{ timestampMin: 201 }, false],
    [{ timestampMax: 99 }, false],
    [{ timestampMin: 150, timestampMax: 160 }, true],
  ];
  for (const [range, kept] of cases) {
    it(`${JSON.stringify(range)} → ${kept ? "kept" : "skipped"}`, () =>
      assert.equal(fileInRange(file, range), kept));
  }
});
