import assert from "node:assert/strict";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { DuckDbEngine } from "@miniodb/executor";
import { MinIODBService } from "@miniodb/proto";
import { queryRows, referenceEngine, userRows, waitForFiles, writeUsers } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

const ROWS = userRows(3_000);

/** Analytical queries whose answers must equal DuckDB's over the same rows. */
const SUITE = [
  "SELECT COUNT(*) FROM users WHERE age > 25",
  "SELECT city, count(*) AS n, sum(age) AS s, round(avg(score), 6) AS a FROM users GROUP BY city ORDER BY city",
  "SELECT date_trunc('day', timestamp) AS d, count(*) AS n FROM users GROUP BY d ORDER BY d",
  "SELECT id, score FROM users ORDER BY score DESC, id LIMIT 10",
  "SELECT u.id, o.total FROM users u JOIN (SELECT city, count(*) AS total FROM users GROUP BY city) o ON o.city = u.city WHERE u.id IN ('u-7', 'u-8') ORDER BY u.id",
  "WITH t AS (SELECT city, max(age) AS m FROM users GROUP BY city) SELECT * FROM t WHERE m > 30 ORDER BY city",
  "SELECT id, row_number() OVER (PARTITION BY city ORDER BY age, id) AS rn FROM users QUALIFY rn <= 2 ORDER BY id",
  "SELECT id FROM users WHERE active UNION SELECT id FROM users WHERE age < 20 ORDER BY id LIMIT 50",
  "SELECT * FROM users WHERE id = 'u-42'",
  "SELECT count(*) FILTER (WHERE active) AS a, min(timestamp) AS lo, max(timestamp) AS hi FROM users",
  "SELECT count(*) AS n, count(e.id) AS matched FROM users u LEFT JOIN empty_t e ON e.id = u.id",
  "SELECT count(*) AS n, sum(age) AS s FROM users WHERE timestamp >= '2024-01-10' AND timestamp < '2024-01-20 12:00:00'",
  "SELECT id FROM users WHERE id BETWEEN 'u-10' AND 'u-11' ORDER BY id",
  "SELECT count(DISTINCT name) AS names FROM users WHERE id IN (SELECT id FROM users WHERE score > 50)",
];

describe("queries on one node", () => {
  let node: SpawnedNode;
  let rest: string;
  let reference: DuckDbEngine;
  before(async () => {
    node = await spawnNode([], {
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
      // Long enough for the memory-limit case to reach its limit first on a loaded machine.
      MINIODB_QUERY__TIMEOUT_SECONDS: "10",
      MINIODB_QUERY__MEMORY_LIMIT: "256MB",
    });
    rest = `http://127.0.0.1:${node.ports.rest}`;
    for (const table_name of ["users", "empty_t"]) {
      // Small buffers: most rows are flushed into several files, the rest still buffered.
      await requestJson(`${rest}/v1/tables`, { body: { table_name, config: { buffer_size: 700 } } });
    }
    await writeUsers(rest, "users", ROWS, 400);
    reference = await referenceEngine(realpathSync(mkdtempSync(join(tmpdir(), "miniodb-ref-"))), ROWS);
  });
  after(async () => {
    reference?.close();
    await node?.stop();
  });

  for (const sql of SUITE) {
    it(`answers like DuckDB: ${sql}`, async () => {
      const { rows, hasMore } = await queryRows(rest, sql);
      assert.equal(hasMore, false);
      assert.deepEqual(rows, await reference.query(sql));
    });
  }

  it("sees the rows still buffered and those flushed (read-your-writes)", async () => {
    await waitForFiles(rest, "users");
    await writeUsers(rest, "users", userRows(1, 90_000));
    const { rows } = await queryRows(rest, "SELECT count(*) AS n FROM users WHERE id = 'u-90000'");
    assert.deepEqual(rows, [{ n: 1 }]);
  });

  const orderings = [
    "SELECT id, age FROM users WHERE id < 'u-3' ORDER BY id",
    "SELECT id, age FROM users WHERE id < 'u-3' ORDER BY age DESC",
    "SELECT id FROM users WHERE id < 'u-3'",
    "SELECT id FROM users ORDER BY id DESC LIMIT 101",
    // A result column with the name of read_parquet's row number: pages by LIMIT/OFFSET instead.
    "SELECT id, age AS file_row_number FROM users WHERE id < 'u-3' ORDER BY id",
  ];
  for (const sql of orderings) {
    it(`pages exactly through: ${sql}`, async () => {
      const whole = (await queryRows(rest, sql)).rows;
      const walked: Array<Record<string, unknown>> = [];
      let page = await queryRows(rest, sql, 64);
      walked.push(...page.rows);
      // Rows written during the walk belong to later queries, not to this result.
      await writeUsers(rest, "users", userRows(5, 80_000 + walked.length));
      while (page.hasMore) {
        assert.equal(page.rows.length, 64);
        page = await queryRows(rest, sql, 64, page.nextCursor);
        walked.push(...page.rows);
      }
      assert.equal(page.nextCursor, "");
      const key = (row: Record<string, unknown>) => JSON.stringify(row);
      assert.equal(walked.length, whole.length);
      assert.equal(new Set(walked.map(key)).size, walked.length, "no duplicates");
      assert.deepEqual(walked.map(key).sort(), whole.map(key).sort());
      if (sql.endsWith("ORDER BY id")) assert.deepEqual(walked, whole);
      if (sql.endsWith("ORDER BY age DESC")) {
        const ages = walked.map((row) => row["age"] as number);
        assert.ok(
          ages.every((age, index) => index === 0 || age <= ages[index - 1]!),
          "pages keep the order",
        );
      }
    });
  }

  it("streams every batch of a StreamQuery", async () => {
    const client = createClient(
      MinIODBService,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
    );
    const sizes: number[] = [];
    const flags: boolean[] = [];
    const ids = new Set<string>();
    for await (const message of client.streamQuery({
      sql: "SELECT * FROM users WHERE id < 'u-2' ORDER BY id",
      batchSize: 100,
    })) {
      sizes.push(message.records.length);
      flags.push(message.hasMore);
      for (const record of message.records) {
        ids.add(record.id);
        assert.ok(record.timestamp, "timestamp filled");
        assert.equal(typeof record.payload?.["age"], "number");
      }
    }
    const expected = ROWS.filter((row) => row.id < "u-2").length;
    assert.equal(ids.size, expected);
    assert.deepEqual(sizes.slice(0, -1), Array(sizes.length - 1).fill(100));
    assert.deepEqual(flags, [...Array(sizes.length - 1).fill(true), false]);
  });

  it("frees the query slots of streams their clients abandon", async () => {
    // More abandoned streams than query slots (query.max_concurrent defaults to 4), each on its own
    // connection, over buffered rows: the server's generator is left suspended, never resumed or
    // returned, and only the abort signal can release its slot.
    await requestJson(`${rest}/v1/tables`, {
      body: { table_name: "abandoned", config: { buffer_size: 100_000 } },
    });
    await writeUsers(rest, "abandoned", userRows(20_000), 5_000);
    for (let stream = 0; stream < 6; stream++) {
      const client = createClient(
        MinIODBService,
        createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
      );
      const abort = new AbortController();
      try {
        for await (const message of client.streamQuery(
          { sql: "SELECT * FROM abandoned", batchSize: 1000 },
          { signal: abort.signal },
        )) {
          assert.equal(message.records.length, 1000);
          break;
        }
      } finally {
        abort.abort();
      }
    }
    const started = Date.now();
    assert.deepEqual((await queryRows(rest, "SELECT 1 AS one")).rows, [{ one: 1 }]);
    assert.ok(Date.now() - started < 1_000, "a slot was free at once");
  });

  it("streams the same records to a Connect JSON client", async () => {
    const transport = createConnectTransport({
      baseUrl: `http://127.0.0.1:${node.ports.rest}`,
      httpVersion: "1.1",
      useBinaryFormat: false,
    });
    const records = [];
    for await (const message of createClient(MinIODBService, transport).streamQuery({
      sql: "SELECT * FROM users WHERE id IN ('u-1', 'u-2') ORDER BY id",
    }))
      records.push(...message.records);
    assert.deepEqual(
      records.map((record) => [record.id, record.payload?.["city"], record.timestamp?.seconds]),
      ROWS.filter((row) => row.id === "u-1" || row.id === "u-2").map((row) => [
        row.id,
        row.payload.city,
        BigInt(Math.floor(row.timestampMicros / 1_000_000)),
      ]),
    );
  });

  const refused: Array<[string, string]> = [
    ["a syntax error", "SELEC 1"],
    ["an unknown table", "SELECT * FROM nope"],
    ["an unknown column", "SELECT nope FROM users"],
    ["a DELETE statement", "DELETE FROM users"],
    ["read_csv of a system file", "SELECT * FROM read_csv('/etc/passwd')"],
    ["read_parquet", "SELECT * FROM read_parquet('/tmp/*.parquet')"],
    ["glob", "SELECT * FROM glob('/*')"],
    ["read_text", "SELECT * FROM read_text('/etc/passwd')"],
    ["COPY", "COPY users TO '/tmp/leak.csv'"],
    ["ATTACH", "ATTACH '/tmp/x.db' AS x"],
    ["INSTALL", "INSTALL httpfs"],
    ["LOAD", "LOAD httpfs"],
    ["SET", "SET threads = 1"],
    ["PRAGMA", "PRAGMA database_list"],
    ["two statements", "SELECT 1; SELECT 2"],
  ];
  for (const [name, sql] of refused) {
    it(`refuses ${name} with invalid_argument and stays healthy`, async () => {
      const response = await requestJson<{ error: { code: string } }>(`${rest}/v1/query`, { body: { sql } });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error.code, "invalid_argument");
    });
  }

  it("refuses an invalid cursor and a cursor of another query", async () => {
    const sql = "SELECT id FROM users ORDER BY id";
    const first = await queryRows(rest, sql, 10);
    for (const [query, cursor] of [
      [sql, "bm90IGEgY3Vyc29y"],
      ["SELECT 1", first.nextCursor],
    ] as const) {
      const response = await requestJson<{ error: { code: string } }>(`${rest}/v1/query`, {
        body: { sql: query, limit: 10, cursor },
      });
      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, "invalid_argument");
    }
  });

  it("interrupts a query past the timeout (deadline_exceeded) and answers the next one", async () => {
    const response = await requestJson<{ error: { code: string } }>(`${rest}/v1/query`, {
      body: { sql: "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b" },
    });
    assert.equal(response.status, 504, JSON.stringify(response.body));
    assert.equal(response.body.error.code, "deadline_exceeded");
    assert.deepEqual((await queryRows(rest, "SELECT 1 AS one")).rows, [{ one: 1 }]);
  });

  it("stops a query over the memory limit (resource_exhausted)", async () => {
    // Strings of 1 MiB reach the 256 MB limit in about 150 ms on an idle machine and in up to 5 s
    // on a loaded one (4 KiB ones took 750 ms idle): well within the 10 s timeout.
    const response = await requestJson<{ error: { code: string } }>(`${rest}/v1/query`, {
      body: { sql: "SELECT list(repeat('x', 1048576) || range) FROM range(4000)" },
    });
    assert.equal(response.status, 429, JSON.stringify(response.body));
    assert.equal(response.body.error.code, "resource_exhausted");
    assert.deepEqual((await queryRows(rest, "SELECT 1 AS one")).rows, [{ one: 1 }]);
  });
});
