import { describe } from "node:test";
import { planCaseTests, usePlanHarness, type PlanCase } from "../../test-support/plan-harness.js";

/**
 * Aggregates over one table joined with aggregate subqueries run in stages where a worker's
 * joined rows are those of its own share, and ship rows otherwise; either way a query answers as
 * over the whole tables (see planCaseTests).
 */
describe("planStaged", () => {
  const harness = usePlanHarness();
  const cases: PlanCase[] = [
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
  planCaseTests(harness, cases);
});
