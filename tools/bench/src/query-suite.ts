/**
 * The analytical queries of the query benchmark, over the ingest workload's rows (see
 * workload.ts: ten payload fields). `{t}` stands for the table; the same text runs on MinIODB and
 * on raw DuckDB over the same Parquet files.
 */
export const QUERY_SUITE: ReadonlyArray<{ readonly name: string; readonly sql: string }> = [
  { name: "count", sql: "SELECT count(*) FROM {t}" },
  { name: "filtered count", sql: "SELECT count(*) FROM {t} WHERE age > 25" },
  { name: "filtered sum", sql: "SELECT sum(score) FROM {t} WHERE country = 'NO' AND active" },
  {
    name: "group by, low cardinality",
    sql: "SELECT plan, count(*) AS n, avg(score) AS a FROM {t} GROUP BY plan ORDER BY plan",
  },
  {
    name: "group by, high cardinality",
    sql: "SELECT user, count(*) AS n FROM {t} GROUP BY user ORDER BY n DESC, user LIMIT 10",
  },
  {
    name: "time buckets",
    sql: "SELECT date_trunc('hour', timestamp) AS h, count(*) AS n FROM {t} GROUP BY h ORDER BY h",
  },
  { name: "top-N", sql: "SELECT id, latency_ms FROM {t} ORDER BY latency_ms DESC, id LIMIT 10" },
  { name: "min/max time", sql: "SELECT min(timestamp), max(timestamp) FROM {t}" },
  { name: "distinct", sql: "SELECT count(DISTINCT device) AS devices FROM {t} WHERE visits < 100" },
  {
    name: "join",
    sql:
      "SELECT r.region, count(*) AS n FROM {t} r JOIN (SELECT region, avg(age) AS a FROM {t} GROUP BY region) g " +
      "ON g.region = r.region WHERE r.age > g.a GROUP BY r.region ORDER BY r.region",
  },
  {
    name: "time range",
    sql: "SELECT avg(latency_ms) FROM {t} WHERE timestamp >= '2026-11-01 02:00:00' AND timestamp < '2026-11-01 06:00:00'",
  },
];

export function suiteSql(sql: string, table: string): string {
  return sql.replaceAll("{t}", table);
}
