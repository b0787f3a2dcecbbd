import assert from "node:assert/strict";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { DuckDbEngine } from "./duckdb-engine.js";
import { checkReadOnlyQuery } from "./read-only-query.js";

describe("checkReadOnlyQuery over DuckDB's parser", () => {
  let engine: DuckDbEngine;
  before(async () => {
    const cache = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-guard-")));
    engine = await DuckDbEngine.create({ allowedDirectory: cache, threads: 1, connections: 1 });
  });
  after(() => engine?.close());
  const known = ["users", "orders", "Events"];
  const check = async (sql: string) => checkReadOnlyQuery(await engine.parse(sql), known);

  const admitted: Array<[string, string[]]> = [
    ["SELECT COUNT(*) FROM users WHERE age > 25", ["users"]],
    ["SELECT u.name, o.total FROM users u JOIN orders o ON o.user_id = u.id", ["users", "orders"]],
    ["WITH recent AS (SELECT * FROM orders) SELECT * FROM recent, users", ["orders", "users"]],
    ["WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM (SELECT * FROM b) q", []],
    ["WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r", []],
    ["SELECT id FROM users UNION SELECT id FROM orders", ["users", "orders"]],
    ["SELECT * FROM users WHERE id IN (SELECT user_id FROM orders)", ["users", "orders"]],
    ["SELECT name, row_number() OVER (PARTITION BY city ORDER BY age) FROM users", ["users"]],
    ['SELECT \'delete from users; -- drop\', "--" FROM (VALUES (1)) v("--")', []],
    ["FROM events SELECT count(*)", ["Events"]],
    ["select * from USERS", ["users"]],
    ["SELECT 1", []],
    ["SELECT u.id, r.range FROM users u, range(3) r", ["users"]],
    ["SELECT * FROM generate_series(1, 3), unnest([1, 2])", []],
    ["SELECT {'a': [1, 2]} AS s, 'x'::VARCHAR || 'y', main.lower('A')", []],
  ];
  for (const [sql, tables] of admitted) {
    it(`admits ${sql}`, async () => {
      assert.deepEqual([...(await check(sql)).tables].sort(), [...tables].sort());
    });
  }

  const refused: Array<[string, RegExp]> = [
    ["SELEC 1", /syntax error/],
    ["SELECT 1; SELECT 2", /exactly one statement/],
    ["DELETE FROM users", /only read statements/],
    ["INSERT INTO users VALUES (1)", /only read statements/],
    ["COPY users TO '/tmp/x.csv'", /only read statements/],
    ["ATTACH '/tmp/x.db' AS x", /only read statements/],
    ["INSTALL httpfs", /only read statements/],
    ["LOAD httpfs", /only read statements/],
    ["SET threads = 1", /only read statements/],
    ["PRAGMA version", /only read statements/],
    ["CREATE TABLE x AS SELECT 1", /only read statements/],
    ["SELECT * FROM read_csv('/etc/passwd')", /table functions are not allowed \(read_csv\(\)\)/],
    ["SELECT * FROM users, read_csv('/etc/passwd')", /table functions are not allowed/],
    ["SELECT * FROM read_parquet('/x/*.parquet')", /table functions/],
    ["SELECT * FROM glob('/etc/*')", /table functions/],
    ["SELECT * FROM read_text('/etc/passwd')", /table functions/],
    ["SELECT * FROM duckdb_settings()", /table functions/],
    ["SELECT * FROM '/etc/passwd'", /table functions|unknown table|not allowed/],
    ["SELECT * FROM information_schema.tables", /qualified table names/],
    ["SELECT * FROM main.users", /qualified table names/],
    ["SELECT * FROM duckdb_tables", /unknown table/],
    ["SELECT * FROM nope", /unknown table "nope"/],
    ["SELECT current_setting('allowed_directories')", /current_setting/],
    ["SELECT * FROM users WHERE id IN (SELECT * FROM read_csv('/etc/passwd'))", /table functions/],
    ["SHOW TABLES", /not allowed|only read statements/],
    [
      "SELECT * FROM (WITH duckdb_views AS (SELECT 1) SELECT 1) s, duckdb_views",
      /unknown table "duckdb_views"/,
    ],
    [
      "SELECT * FROM (WITH \"/tmp/cache/x.parquet\" AS (SELECT 1) SELECT 1) s, '/tmp/cache/x.parquet'",
      /unknown table/,
    ],
    [
      "SELECT * FROM orders WHERE id IN (WITH pg_settings AS (SELECT 1) SELECT 1) UNION SELECT * FROM pg_settings",
      /unknown table "pg_settings"/,
    ],
    ["DESCRIBE users", /not allowed|only read statements/],
  ];
  for (const [sql, message] of refused) {
    it(`refuses ${sql}`, async () => {
      await assert.rejects(check(sql), (error: unknown) => {
        assert.ok(MiniodbError.is(error, "invalid_argument"), String(error));
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }
});
