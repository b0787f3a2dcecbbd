import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DuckDbEngine,
  tableViewStatement,
  type EngineSession,
  type TableViewSource,
} from "@miniodb/executor";
import { FragmentStatementCache, viewShape } from "./fragment-statement-cache.js";

const COLUMNS = [
  { name: "region", type: "VARCHAR" as const },
  { name: "amount", type: "BIGINT" as const },
];

describe("FragmentStatementCache", () => {
  let directory: string;
  let engine: DuckDbEngine;
  before(async () => {
    directory = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-fragment-cache-")));
    engine = await DuckDbEngine.create({ allowedDirectory: directory, threads: 1, connections: 1 });
  });
  after(() => {
    engine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** A table view over one NDJSON file of buffered rows holding `amount`. */
  function bufferView(name: string, amount: number): TableViewSource {
    const path = join(directory, `${name}.ndjson`);
    writeFileSync(
      path,
      `${JSON.stringify({ id: "a", timestamp: 1_700_000_000_000_000, seq: "1", region: "north", amount })}\n`,
    );
    return { name: "sales", columns: COLUMNS, fileGroups: [], bufferPath: path, maxLineBytes: 1 << 20 };
  }

  /** Describes `sql` over `view` through the cache and counts the statements run on DuckDB. */
  async function describeCounted(cache: FragmentStatementCache, sql: string, view: TableViewSource) {
    return engine.withSession(async (session) => {
      await session.run(tableViewStatement(view));
      let statements = 0;
      const counted = new Proxy(session, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (property === "run" || property === "readAll" || property === "canonicalSql") statements++;
            return (value as (...parameters: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as EngineSession;
      return { described: await cache.describe(counted, sql, [view]), statements };
    });
  }

  it("describes a fragment once for views of the same shape over other rows", async () => {
    const cache = new FragmentStatementCache();
    const sql = "SELECT region, sum(amount) AS total FROM sales GROUP BY region;";
    const first = await describeCounted(cache, sql, bufferView("first", 1));
    assert.deepEqual(first.described.columns, [
      { name: "region", type: "VARCHAR" },
      { name: "total", type: "HUGEINT" },
    ]);
    assert.doesNotMatch(first.described.statement, /;/);
    assert.ok(first.statements > 0);
    const second = await describeCounted(cache, sql, bufferView("second", 2));
    assert.equal(second.statements, 0);
    assert.deepEqual(second.described, first.described);
  });

  it("describes again when the view's columns or kinds of sources differ", async () => {
    const cache = new FragmentStatementCache();
    const sql = "SELECT * FROM sales";
    await describeCounted(cache, sql, bufferView("third", 3));
    const widened = {
      ...bufferView("fourth", 4),
      columns: [COLUMNS[0]!, { name: "amount", type: "DOUBLE" as const }],
    };
    const again = await describeCounted(cache, sql, widened);
    assert.ok(again.statements > 0);
    assert.equal(again.described.columns.at(-1)?.type, "DOUBLE");
  });

  it("refuses result columns whose names collide", async () => {
    const cache = new FragmentStatementCache();
    await assert.rejects(
      describeCounted(cache, "SELECT amount, amount FROM sales", bufferView("fifth", 5)),
      /distinct names/,
    );
  });
});

describe("viewShape", () => {
  const base: TableViewSource = {
    name: "sales",
    columns: COLUMNS,
    fileGroups: [{ paths: ["/c/1.parquet", "/c/2.parquet"], columns: COLUMNS, tombstoned: false }],
    maxLineBytes: 1024,
  };

  it("ignores paths and the retention cutoff", () => {
    const other = {
      ...base,
      fileGroups: [{ paths: ["/c/3.parquet"], columns: COLUMNS, tombstoned: false }],
    };
    assert.equal(viewShape(other), viewShape(base));
    assert.equal(
      viewShape({ ...base, bufferPath: "/q/1/rows.ndjson", minTimestamp: 5 }),
      viewShape({ ...base, bufferPath: "/q/2/rows.ndjson", minTimestamp: 9 }),
    );
  });

  it("tells apart the kinds of sources and schema versions", () => {
    const shapes = new Set([
      viewShape(base),
      viewShape({ ...base, bufferPath: "/q/rows.ndjson" }),
      viewShape({ ...base, bufferPath: "/q/rows.ndjson", tombstonesPath: "/q/t.ndjson" }),
      viewShape({ ...base, minTimestamp: 1 }),
      viewShape({ ...base, fileGroups: [{ ...base.fileGroups[0]!, columns: [COLUMNS[0]!] }] }),
      viewShape({ ...base, fileGroups: [] }),
    ]);
    assert.equal(shapes.size, 6);
  });
});
