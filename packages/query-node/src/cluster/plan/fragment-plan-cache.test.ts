import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ColumnDef } from "@miniodb/core";
import { DuckDbEngine, type EngineSession } from "@miniodb/executor";
import { aggregateFunctionNames } from "./aggregate-functions.js";
import { FragmentPlanCache } from "./fragment-plan-cache.js";
import type { Node } from "./parse-nodes.js";

const COLUMNS: ColumnDef[] = [
  { name: "region", type: "VARCHAR" },
  { name: "amount", type: "BIGINT" },
];

describe("FragmentPlanCache", () => {
  let directory: string;
  let engine: DuckDbEngine;
  let aggregates: ReadonlySet<string>;
  before(async () => {
    directory = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-plan-cache-")));
    engine = await DuckDbEngine.create({ allowedDirectory: directory, threads: 1, connections: 1 });
    aggregates = await engine.withSession((session) => aggregateFunctionNames(session));
  });
  after(() => {
    engine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Plans `sql` through the cache and counts the statements it ran on DuckDB. */
  async function planCounted(cache: FragmentPlanCache, sql: string, columns: readonly ColumnDef[]) {
    const tree = (await engine.parse(sql)) as Node;
    return engine.withSession(async (session) => {
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
      const plan = await cache.plan(counted, tree, sql, [{ name: "sales", columns }], aggregates);
      return { plan, statements };
    });
  }

  it("plans a repeated statement over the same columns once", async () => {
    const cache = new FragmentPlanCache();
    const sql = "SELECT region, sum(amount) AS total FROM sales GROUP BY region";
    const first = await planCounted(cache, sql, COLUMNS);
    assert.equal(first.plan.kind, "aggregate");
    assert.ok(first.statements > 0);
    const second = await planCounted(cache, sql, COLUMNS);
    assert.equal(second.statements, 0);
    assert.deepEqual(second.plan, first.plan);
  });

  it("plans again when a column is added or its type changes", async () => {
    const cache = new FragmentPlanCache();
    const sql = "SELECT * FROM sales WHERE amount > 3";
    const first = await planCounted(cache, sql, COLUMNS);
    assert.equal(first.plan.kind, "rows");
    const added = await planCounted(cache, sql, [...COLUMNS, { name: "note", type: "VARCHAR" }]);
    assert.ok(added.statements > 0);
    assert.match(added.plan.kind === "rows" ? added.plan.workerSql.get("sales")! : "", /note/);
    const widened = await planCounted(cache, sql, [COLUMNS[0]!, { name: "amount", type: "DOUBLE" }]);
    assert.ok(widened.statements > 0);
  });

  it("keeps only the most recently used plans", async () => {
    const cache = new FragmentPlanCache(2);
    const statements = [
      "SELECT count(*) FROM sales",
      "SELECT max(amount) FROM sales",
      "SELECT min(amount) FROM sales",
    ];
    for (const sql of statements) await planCounted(cache, sql, COLUMNS);
    assert.equal((await planCounted(cache, statements[2]!, COLUMNS)).statements, 0);
    assert.ok((await planCounted(cache, statements[0]!, COLUMNS)).statements > 0);
  });
});
