import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ColumnDef } from "@miniodb/core";
import { DuckDbEngine, quoteSqlIdentifier, type EngineSession } from "@miniodb/executor";
import { aggregateFunctionNames } from "./aggregate-functions.js";
import {
  planFragments,
  PARTIALS_VIEW,
  type AggregatePlan,
  type FragmentPlan,
  type RowsPlan,
} from "./fragment-planner.js";
import { stagedWorkerSql } from "./staged-plan.js";
import type { Node } from "./parse-nodes.js";

const COLUMNS: ColumnDef[] = [
  { name: "region", type: "VARCHAR" },
  { name: "amount", type: "BIGINT" },
  { name: "price", type: "DOUBLE" },
  { name: "flag", type: "BOOLEAN" },
];
const TABLES = [
  { name: "sales", columns: COLUMNS },
  {
    name: "regions",
    columns: [
      { name: "region", type: "VARCHAR" as const },
      { name: "label", type: "VARCHAR" as const },
    ],
  },
];
const PARTS = 3;

/** The tables a statement names (as the SQL guard would report them). */
const tablesOf = (sql: string) =>
  TABLES.filter((table) => new RegExp(`(FROM|JOIN) ${table.name}\\b`).test(sql));

/**
 * Every query runs twice on the same rows: directly over the whole table, and as the plan says
 * over three parts of it (each part's worker statement, then the coordinator's statement over
 * their outputs). The answers must be identical, column names and types included.
 */
describe("planFragments", () => {
  let directory: string;
  let engine: DuckDbEngine;
  let aggregates: ReadonlySet<string>;
  before(async () => {
    directory = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-plan-")));
    engine = await DuckDbEngine.create({ allowedDirectory: directory, threads: 1, connections: 1 });
    aggregates = await engine.withSession((session) => aggregateFunctionNames(session));
    await engine.withSession(async (session) => {
      // Rows of `sales`: part = i % 3; prices are multiples of 1/4 (sums exact in any order).
      await session.run(
        `CREATE TABLE all_sales AS SELECT 'r' || lpad(CAST(i AS VARCHAR), 4, '0') AS id,
           make_timestamp(1700000000000000 + i * 1000000) AS timestamp,
           CASE WHEN i % 11 = 0 THEN NULL ELSE ['north','south','east','west'][1 + i % 4] END AS region,
           CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(i * 7 % 101 AS BIGINT) END AS amount,
           CAST(i % 17 AS DOUBLE) / 4 AS price, i % 3 = 0 AS flag, i % ${PARTS} AS part
         FROM range(600) r(i)`,
      );
      await session.run(
        `CREATE TABLE all_regions AS SELECT * FROM (VALUES ('g1', TIMESTAMP '2024-01-01', 'north', 'N', 0),
           ('g2', TIMESTAMP '2024-01-01', 'south', 'S', 1), ('g3', TIMESTAMP '2024-01-01', 'east', 'E', 2))
           v(id, timestamp, region, label, part)`,
      );
    });
  });
  after(() => {
    engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const cases: Array<{ sql: string; kind: FragmentPlan["kind"]; ordered?: boolean }> = [
    { sql: "SELECT count(*) AS n FROM sales", kind: "aggregate" },
    {
      sql: "SELECT count(*), sum(amount), min(price), max(region), avg(amount), avg(price) FROM sales",
      kind: "aggregate",
    },
    {
      sql: "SELECT count(DISTINCT region) AS regions, count(region), count(DISTINCT amount) FROM sales",
      kind: "aggregate",
    },
    {
      sql: "SELECT region, count(*) AS n, sum(amount) AS total, avg(price) FROM sales WHERE flag GROUP BY region ORDER BY region NULLS FIRST",
      kind: "aggregate",
      ordered: true,
    },
    {
      sql: "SELECT upper(s.region) AS r, count(*) FROM sales AS s GROUP BY s.region HAVING count(*) > 40 ORDER BY 2 DESC, 1 LIMIT 2",
      kind: "aggregate",
      ordered: true,
    },
    {
      sql: "SELECT date_trunc('minute', timestamp) AS m, max(amount) - min(amount) AS spread FROM sales GROUP BY date_trunc('minute', timestamp) ORDER BY m",
      kind: "aggregate",
      ordered: true,
    },
    {
      sql: "SELECT region, flag FROM sales GROUP BY region, flag ORDER BY 1, 2",
      kind: "aggregate",
      ordered: true,
    },
    { sql: "SELECT region, flag FROM sales GROUP BY region, flag ORDER BY ALL", kind: "rows", ordered: true },
    { sql: "SELECT sum(amount) AS s FROM sales WHERE amount > 1000", kind: "aggregate" },
    { sql: "SELECT count(*) FROM sales WHERE region = 'nowhere' GROUP BY region", kind: "aggregate" },
    { sql: "SELECT median(amount) FROM sales", kind: "rows" },
    {
      sql: "SELECT region, string_agg(id, ',' ORDER BY id) FROM sales GROUP BY region ORDER BY region",
      kind: "rows",
      ordered: true,
    },
    { sql: "SELECT * FROM sales WHERE amount > 90 ORDER BY id LIMIT 7", kind: "rows", ordered: true },
    {
      sql: "SELECT id, amount FROM sales WHERE price > 3 ORDER BY amount DESC, id LIMIT 5 OFFSET 2",
      kind: "rows",
      ordered: true,
    },
    {
      sql: "SELECT id, rank() OVER (ORDER BY amount DESC NULLS LAST, id) AS k FROM sales ORDER BY k LIMIT 4",
      kind: "rows",
      ordered: true,
    },
    {
      sql: "SELECT r.label, count(*) AS n FROM sales s JOIN regions r USING (region) GROUP BY r.label ORDER BY 1",
      kind: "rows",
      ordered: true,
    },
    { sql: "SELECT count(*) FROM sales WHERE amount > (SELECT avg(amount) FROM sales)", kind: "rows" },
    { sql: "SELECT sum(amount) FILTER (WHERE flag) FROM sales", kind: "rows" },
    {
      sql: "SELECT region, count(*) FROM sales GROUP BY ROLLUP (region) ORDER BY 1 NULLS LAST",
      kind: "rows",
      ordered: true,
    },
    { sql: "SELECT DISTINCT region FROM sales ORDER BY 1", kind: "rows", ordered: true },
    {
      sql: "SELECT region AS amount, count(*) FROM sales GROUP BY region ORDER BY amount",
      kind: "aggregate",
      ordered: true,
    },
    { sql: "SELECT count(*) FROM sales GROUP BY 1 + 1", kind: "aggregate" },
    {
      sql: "SELECT date_trunc('minute', timestamp) AS m, count(*) AS n FROM sales GROUP BY m ORDER BY m",
      kind: "aggregate",
      ordered: true,
    },
    {
      sql: "SELECT upper(region) AS r, count(*) AS n, avg(amount) FROM sales GROUP BY 1 HAVING count(*) > 1 ORDER BY 1",
      kind: "aggregate",
      ordered: true,
    },
    {
      sql: "SELECT region AS reg, flag AS f, max(amount) FROM sales GROUP BY reg, 2 ORDER BY reg NULLS FIRST, f",
      kind: "aggregate",
      ordered: true,
    },
    { sql: "SELECT id, price FROM sales ORDER BY price DESC, id LIMIT 6", kind: "rows", ordered: true },
    {
      sql: "SELECT s.id FROM sales s ORDER BY s.amount NULLS FIRST, id LIMIT 9 OFFSET 3",
      kind: "rows",
      ordered: true,
    },
    {
      sql: "SELECT amount AS id, id AS amount FROM sales ORDER BY id, amount LIMIT 4",
      kind: "rows",
      ordered: true,
    },
    {
      sql: "SELECT id, amount FROM sales ORDER BY 2 DESC NULLS LAST, 1 LIMIT 4",
      kind: "rows",
      ordered: true,
    },
    {
      sql: "SELECT s.region, count(*) AS n FROM sales s JOIN (SELECT region, avg(amount) AS a FROM sales GROUP BY region) g ON g.region = s.region WHERE s.amount > g.a GROUP BY s.region ORDER BY s.region",
      kind: "staged",
      ordered: true,
    },
    {
      sql: "SELECT s.flag, count(g.total) AS matched, count(*) AS n, sum(g.total) FROM sales s LEFT JOIN (SELECT region, sum(amount) AS total FROM sales WHERE flag GROUP BY region HAVING sum(amount) > 2000) g USING (region) GROUP BY s.flag ORDER BY 1",
      kind: "staged",
      ordered: true,
    },
    {
      sql: "SELECT count(*), max(price * k.c) FROM sales JOIN (SELECT region, count(*) AS c FROM regions GROUP BY region) k(r, c) ON k.r = sales.region CROSS JOIN (SELECT max(amount) AS top FROM sales) t WHERE amount * 2 > t.top",
      kind: "staged",
    },
    {
      sql: "SELECT g.n, count(*) FROM (SELECT count(*) AS n FROM regions) g JOIN sales s ON s.amount > g.n GROUP BY g.n",
      kind: "staged",
    },
    {
      sql: "SELECT count(*) FROM sales s FULL JOIN (SELECT region, count(*) AS c FROM sales GROUP BY region) g ON g.region = s.region",
      kind: "rows",
    },
    {
      sql: "SELECT count(*) FROM sales s RIGHT JOIN (SELECT region, count(*) AS c FROM sales WHERE flag GROUP BY region) g ON g.region = s.region",
      kind: "rows",
    },
    {
      sql: "SELECT count(*) FROM sales s JOIN (SELECT DISTINCT region FROM sales WHERE flag) g USING (region)",
      kind: "rows",
    },
    {
      sql: "SELECT count(*) FROM sales s, (SELECT max(amount) AS m FROM sales x WHERE x.region = s.region) g WHERE s.amount = g.m",
      kind: "rows",
    },
    {
      sql: "SELECT s.id, g.a FROM sales s JOIN (SELECT region, avg(amount) AS a FROM sales GROUP BY region) g USING (region) ORDER BY s.id LIMIT 3",
      kind: "rows",
      ordered: true,
    },
    // The subquery answers to the table's own name: sales.amount is the stage's column, not a's.
    {
      sql: "SELECT sum(a.amount) AS sa, sum(sales.amount) AS st FROM sales AS a JOIN (SELECT region, max(amount) AS amount FROM sales GROUP BY region) AS sales ON sales.region = a.region",
      kind: "staged",
    },
    {
      sql: "SELECT count(*) FROM sales s JOIN (SELECT coalesce(region, 'x') AS r, count(*) AS c FROM sales GROUP BY 1) g ON g.r = coalesce(s.region, 'x') WHERE s.amount < g.c",
      kind: "staged",
    },
    {
      sql: "SELECT r, count(*) FROM (SELECT coalesce(region, 'x') AS r FROM sales) q GROUP BY r ORDER BY r",
      kind: "rows",
      ordered: true,
    },
    {
      sql: "SELECT count(*) FROM sales s JOIN (SELECT region COLLATE NOCASE AS r, count(*) AS c FROM sales GROUP BY 1) g ON g.r = s.region",
      kind: "rows",
    },
    // Floating-point partial sums add up in another order than one node's: not sent to the workers.
    {
      sql: "SELECT count(*) FROM sales s JOIN (SELECT region, avg(price) AS p FROM sales GROUP BY region) g USING (region) WHERE s.price > g.p",
      kind: "rows",
    },
  ];

  for (const { sql, kind, ordered } of cases) {
    it(`${kind}: ${sql}`, async () => {
      await engine.withSession(async (session) => {
        const expected = await direct(session, sql);
        const tree = (await engine.parse(sql)) as Node;
        const plan = await planFragments(session, tree, sql, tablesOf(sql), aggregates);
        assert.equal(plan.kind, kind);
        const actual = await scattered(session, plan);
        assert.deepEqual(actual.columns, expected.columns);
        const sort = (rows: string[]) => (ordered ? rows : [...rows].sort());
        assert.deepEqual(sort(actual.rows), sort(expected.rows));
      });
    });
  }

  it("rows plans ship only the columns the query names, filtered by its WHERE", async () => {
    await engine.withSession(async (session) => {
      const sql = "SELECT id FROM sales WHERE amount > 90 ORDER BY id";
      const plan = await planFragments(
        session,
        (await engine.parse(sql)) as Node,
        sql,
        tablesOf(sql),
        aggregates,
      );
      assert.equal(plan.kind, "rows");
      const shipped = plan.kind === "rows" ? plan.workerSql.get("sales") : "";
      assert.match(shipped!, /^SELECT id, amount FROM sales WHERE \(amount > 90\)$/);
    });
  });

  it("rows plans of top-N queries ship each worker's first limit + offset rows only", async () => {
    await engine.withSession(async (session) => {
      const shipped = async (sql: string) => {
        const plan = await planFragments(
          session,
          (await engine.parse(sql)) as Node,
          sql,
          tablesOf(sql),
          aggregates,
        );
        return plan.kind === "rows" ? plan.workerSql.get("sales")! : "";
      };
      assert.match(
        await shipped(
          "SELECT id, amount FROM sales WHERE price > 3 ORDER BY amount DESC, id LIMIT 5 OFFSET 2",
        ),
        /^SELECT id, amount, price FROM sales WHERE \(price > 3\) ORDER BY amount DESC, id LIMIT 7$/,
      );
      // An alias, a position or an expression in ORDER BY, or DISTINCT: every row is shipped.
      for (const sql of [
        "SELECT amount AS id FROM sales ORDER BY id LIMIT 3",
        "SELECT id FROM sales ORDER BY 1 LIMIT 3",
        "SELECT id FROM sales ORDER BY amount + 1 LIMIT 3",
        "SELECT DISTINCT region FROM sales ORDER BY region LIMIT 3",
      ])
        assert.doesNotMatch(await shipped(sql), /LIMIT/, sql);
    });
  });

  it("bounds a worker's rows when the plan knows them: 1 without GROUP BY, limit + offset for top-N", async () => {
    await engine.withSession(async (session) => {
      const bound = async (sql: string) => {
        const plan = await planFragments(
          session,
          (await engine.parse(sql)) as Node,
          sql,
          tablesOf(sql),
          aggregates,
        );
        if (plan.kind === "staged") return undefined;
        return plan.kind === "aggregate" ? plan.workerRowsAtMost : plan.workerRowsAtMost.get("sales");
      };
      assert.equal(await bound("SELECT count(*), max(amount) FROM sales WHERE flag"), 1);
      assert.equal(await bound("SELECT region, count(*) FROM sales GROUP BY region"), undefined);
      assert.equal(await bound("SELECT id FROM sales ORDER BY amount, id LIMIT 5 OFFSET 2"), 7);
      assert.equal(await bound("SELECT id FROM sales WHERE amount > 3"), undefined);
    });
  });

  it("a query the binder rejects fails as it does on one node", async () => {
    await engine.withSession(async (session) => {
      const sql = "SELECT nope FROM sales";
      await assert.rejects(
        planFragments(session, (await engine.parse(sql)) as Node, sql, tablesOf(sql), aggregates),
        /nope/,
      );
    });
  });
});

interface Answer {
  readonly columns: string[];
  readonly rows: string[];
}

async function answer(session: EngineSession, sql: string): Promise<Answer> {
  const result = await session.readAll(sql);
  return {
    columns: result.columns.map((column) => `${column.name}:${JSON.stringify(column)}`),
    rows: result.rows.map((row) => JSON.stringify(row)),
  };
}

async function direct(session: EngineSession, sql: string): Promise<Answer> {
  await views(session, undefined);
  try {
    return await answer(session, sql);
  } finally {
    await dropViews(session);
  }
}

/**
 * Runs the plan over the parts as workers would, then the coordinator's statement; a staged plan's
 * stages first, each merged and read back as text as the query node does.
 */
async function scattered(session: EngineSession, plan: FragmentPlan): Promise<Answer> {
  if (plan.kind !== "staged") return scatteredOnce(session, plan, undefined);
  const results: (string | null)[][][] = [];
  for (const stage of plan.stages) {
    await scatterParts(session, stage.plan, undefined);
    const { values, rowCount } = await session.readColumns(
      `SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (${stage.plan.statement}) AS stage`,
    );
    results.push(
      Array.from({ length: rowCount }, (_, row) => values.map((column) => column[row] as string | null)),
    );
  }
  return scatteredOnce(session, plan.outer, stagedWorkerSql(plan, results));
}

async function scatteredOnce(
  session: EngineSession,
  plan: AggregatePlan | RowsPlan,
  workerSql: string | undefined,
): Promise<Answer> {
  await scatterParts(session, plan, workerSql);
  try {
    return await answer(session, plan.statement);
  } finally {
    await session.run(
      `DROP VIEW IF EXISTS ${PARTIALS_VIEW}; DROP VIEW IF EXISTS sales; DROP VIEW IF EXISTS regions`,
    );
  }
}

/** Each part's worker statements, and the coordinator's views over their outputs. */
async function scatterParts(
  session: EngineSession,
  plan: AggregatePlan | RowsPlan,
  workerSql: string | undefined,
): Promise<void> {
  const outputs = new Map<string, string[]>();
  for (let part = 0; part < PARTS; part++) {
    await views(session, part);
    const statements =
      plan.kind === "aggregate" ? new Map([[plan.table, workerSql ?? plan.workerSql]]) : plan.workerSql;
    for (const [table, sql] of statements) {
      const name = `out_${table}_${part}`;
      await session.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${sql}`);
      outputs.set(table, [...(outputs.get(table) ?? []), name]);
    }
    await dropViews(session);
  }
  for (const [table, names] of outputs) {
    const view = plan.kind === "aggregate" ? PARTIALS_VIEW : table;
    await session.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(view)} AS ${names.map((name) => `SELECT * FROM ${name}`).join(" UNION ALL ")}`,
    );
  }
}

async function views(session: EngineSession, part: number | undefined): Promise<void> {
  const where = part === undefined ? "" : ` WHERE part = ${part}`;
  await session.run(
    `CREATE OR REPLACE TEMP VIEW sales AS SELECT * EXCLUDE (part) FROM all_sales${where};
     CREATE OR REPLACE TEMP VIEW regions AS SELECT * EXCLUDE (part) FROM all_regions${where}`,
  );
}

async function dropViews(session: EngineSession): Promise<void> {
  await session.run("DROP VIEW IF EXISTS sales; DROP VIEW IF EXISTS regions");
}
