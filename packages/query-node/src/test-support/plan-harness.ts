import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { ColumnDef } from "@miniodb/core";
import { DuckDbEngine, quoteSqlIdentifier, type EngineSession } from "@miniodb/executor";
import { aggregateFunctionNames } from "../cluster/plan/aggregate-functions.js";
import {
  planFragments,
  PARTIALS_VIEW,
  type AggregatePlan,
  type FragmentPlan,
  type RowsPlan,
} from "../cluster/plan/fragment-planner.js";
import type { Node } from "../cluster/plan/parse-nodes.js";
import { stagedWorkerSql } from "../cluster/plan/staged-plan.js";

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

/** A query, the kind of plan it must get, and whether its rows come in a defined order. */
export interface PlanCase {
  readonly sql: string;
  readonly kind: FragmentPlan["kind"];
  readonly ordered?: boolean;
}

/** A DuckDB engine holding the rows of `sales` and `regions` in three parts, for the tests of a describe block. */
export interface PlanHarness {
  readonly engine: DuckDbEngine;
  /** The query's plan, from the SQL alone. */
  plan(session: EngineSession, sql: string): Promise<FragmentPlan>;
}

/** Sets up the harness before the tests of the calling describe block and closes it after them. */
export function usePlanHarness(): PlanHarness {
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

  return {
    get engine() {
      return engine;
    },
    plan: async (session, sql) =>
      planFragments(session, (await engine.parse(sql)) as Node, sql, tablesOf(sql), aggregates),
  };
}

/**
 * One test per case: the plan has the case's kind, and every query runs twice on the same rows,
 * directly over the whole tables and as the plan says over three parts of them (each part's
 * worker statements, the stages first for a staged plan, then the coordinator's statement over
 * their outputs). The answers must be identical, column names and types included.
 */
export function planCaseTests(harness: PlanHarness, cases: readonly PlanCase[]): void {
  for (const { sql, kind, ordered } of cases) {
    it(`${kind}: ${sql}`, async () => {
      await harness.engine.withSession(async (session) => {
        const expected = await direct(session, sql);
        const plan = await harness.plan(session, sql);
        assert.equal(plan.kind, kind);
        const actual = await scattered(session, plan);
        assert.deepEqual(actual.columns, expected.columns);
        const sort = (rows: string[]) => (ordered ? rows : [...rows].sort());
        assert.deepEqual(sort(actual.rows), sort(expected.rows));
      });
    });
  }
}

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
    await session.run(`DROP VIEW IF EXISTS ${PARTIALS_VIEW}`);
    await dropViews(session);
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
