import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MinIODBService } from "@miniodb/proto";
import { userRows, writeUsers } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

const MAX_RESULT_BYTES = 4096;

describe("limits.max_result_bytes", () => {
  let node: SpawnedNode;
  let rest = "";
  before(async () => {
    node = await spawnNode([], { MINIODB_LIMITS__MAX_RESULT_BYTES: String(MAX_RESULT_BYTES) });
    rest = `http://127.0.0.1:${node.ports.rest}`;
    await writeUsers(rest, "users", userRows(200));
  });
  after(() => node?.stop());

  const query = (body: Record<string, unknown>) =>
    requestJson<{ result_json: string; has_more: boolean; next_cursor: string; error?: { code: string } }>(
      `${rest}/v1/query`,
      { body },
    );

  it("refuses a page over the limit with payload_too_large, over REST and gRPC", async () => {
    const whole = await query({ sql: "SELECT * FROM users", limit: 0 });
    assert.equal(whole.status, 413);
    assert.equal(whole.body.error?.code, "payload_too_large");
    const client = createClient(
      MinIODBService,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
    );
    await assert.rejects(
      client.queryData({ sql: "SELECT * FROM users", limit: 150 }),
      (error: unknown) => error instanceof ConnectError && error.code === Code.ResourceExhausted,
    );
  });

  it("serves the same result page by page, each page within the limit", async () => {
    let page = await query({ sql: "SELECT * FROM users ORDER BY id", limit: 10 });
    let rows = 0;
    for (;;) {
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(Buffer.byteLength(page.body.result_json) <= MAX_RESULT_BYTES);
      rows += (JSON.parse(page.body.result_json) as unknown[]).length;
      if (!page.body.has_more) break;
      page = await query({
        sql: "SELECT * FROM users ORDER BY id",
        limit: 10,
        cursor: page.body.next_cursor,
      });
    }
    assert.equal(rows, 200);
    const small = await query({ sql: "SELECT count(*) AS n FROM users", limit: 0 });
    assert.deepEqual(JSON.parse(small.body.result_json), [{ n: 200 }]);
  });
});
