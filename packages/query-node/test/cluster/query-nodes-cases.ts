import assert from "node:assert/strict";
import { it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MinIODBService } from "@miniodb/proto";
import { queryRows, userRows, writeUsers } from "../support/query-fixtures.js";
import { requestJson } from "../support/rest.js";
import type { SpawnedNode } from "../support/spawn-node.js";
import type { TestCluster } from "../support/test-cluster.js";
import { SUITE } from "./suite.js";

/** Cursors, streams, and clients served through either query node. */
export function queryNodeCases(cluster: TestCluster): void {
  it("pages with cursors and streams exactly the ordered result", async () => {
    const sql = "SELECT id, score FROM users ORDER BY score, id";
    const all = await cluster.expected(sql);
    const paged: Array<Record<string, unknown>> = [];
    let page = await queryRows(cluster.rest(), sql, 1_000);
    paged.push(...page.rows);
    while (page.hasMore) {
      page = await queryRows(cluster.rest(), sql, 1_000, page.nextCursor);
      paged.push(...page.rows);
    }
    assert.deepEqual(paged, all);
  });

  it("serves clients through either query node: written through one, read, streamed and paged through the other", async () => {
    const other = `http://127.0.0.1:${cluster.query2.ports.rest}`;
    // users was written through q1; q2 answers exactly the same, buffered and flushed rows alike.
    for (const sql of SUITE)
      assert.deepEqual((await queryRows(other, sql)).rows, await cluster.expected(sql), sql);
    const sql = "SELECT id, score FROM users ORDER BY score, id";
    const paged: Array<Record<string, unknown>> = [];
    let page = await queryRows(other, sql, 700);
    paged.push(...page.rows);
    while (page.hasMore) {
      page = await queryRows(other, sql, 700, page.nextCursor);
      paged.push(...page.rows);
    }
    assert.deepEqual(paged, await cluster.expected(sql));
    const streamed = new Set<string>();
    let records = 0;
    const client = (node: SpawnedNode) =>
      createClient(MinIODBService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }));
    for await (const message of client(cluster.query2).streamQuery({
      sql: "SELECT * FROM users",
      batchSize: 500,
    })) {
      records += message.records.length;
      for (const record of message.records) streamed.add(record.id);
    }
    assert.deepEqual(
      [{ n: records, ids: streamed.size }],
      await cluster.expected("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM users"),
    );
    // A cursor names the node that keeps its result: the other node says so, and answers no page.
    const first = await queryRows(cluster.rest(), sql, 700);
    const foreign = await requestJson<{
      error: { code: string; message: string; details: Record<string, unknown> };
    }>(`${other}/v1/query`, { body: { sql, limit: 700, cursor: first.nextCursor } });
    assert.equal(foreign.status, 412, JSON.stringify(foreign.body));
    assert.equal(foreign.body.error.code, "failed_precondition");
    assert.match(foreign.body.error.message, /belongs to another query node \("q1"/);
    assert.equal(foreign.body.error.details["node"], "q1");
    await assert.rejects(
      client(cluster.query2).queryData({ sql, limit: 700, cursor: first.nextCursor }),
      (error: unknown) =>
        error instanceof ConnectError &&
        error.code === Code.FailedPrecondition &&
        /belongs to another query node/.test(error.message),
    );
    // On its own node the cursor still gives the next page.
    assert.deepEqual(
      (await queryRows(cluster.rest(), sql, 700, first.nextCursor)).rows,
      paged.slice(700, 1_400),
    );
    // The other way round: a table made, written and mutated through q2 reads the same through q1.
    await requestJson(`${other}/v1/tables`, { body: { table_name: "paired" } });
    await writeUsers(other, "paired", userRows(300, 80_000));
    const removed = await requestJson(`${other}/v1/data`, {
      method: "DELETE",
      body: { table: "paired", ids: ["u-80001", "u-80002"] },
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const count = "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM paired";
    assert.deepEqual(await cluster.answers(count), [{ n: 298, ids: 298 }]);
    assert.deepEqual((await queryRows(other, count)).rows, [{ n: 298, ids: 298 }]);
  });
}
