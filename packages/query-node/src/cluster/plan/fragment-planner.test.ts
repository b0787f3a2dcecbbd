import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planCaseTests, usePlanHarness, type PlanCase } from "../../test-support/plan-harness.js";

/** Plans checked against the answers over the whole tables (planCaseTests); joins with aggregate subqueries: staged-plan.test.ts. */
describe("planFragments", () => {
  const harness = usePlanHarness();
  const cases: PlanCase[] = [
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
  ];

  planCaseTests(harness, cases);

  it("rows plans ship only the columns the query names, filtered by its WHERE", async () => {
    await harness.engine.withSession(async (session) => {
      const sql = "SELECT id FROM sales WHERE amount > 90 ORDER BY id";
      const plan = await harness.plan(session, sql);
      assert.equal(plan.kind, "rows");
      const shipped = plan.kind === "rows" ? plan.workerSql.get("sales") : "";
      assert.match(shipped!, /^SELECT id, amount FROM sales WHERE \(amount > 90\)$/);
    });
  });

  it("rows plans of top-N queries ship each worker's first limit + offset rows only", async () => {
    await harness.engine.withSession(async (session) => {
      const shipped = async (sql: string) => {
        const plan = await harness.plan(session, sql);
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
    await harness.engine.withSession(async (session) => {
      const bound = async (sql: string) => {
        const plan = await harness.plan(session, sql);
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
    await harness.engine.withSession(async (session) => {
      const sql = "SELECT nope FROM sales";
      await assert.rejects(harness.plan(session, sql), /nope/);
    });
  });
});
