// A program written the way a user of the published packages writes it: it imports the packages
// by name, is compiled by tsc against their declaration files and runs on plain Node.
// Usage: node main.js <base url of a running node>
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createMiniodbClient } from "@miniodb/client";
import { MiniodbError, ShardRing } from "@miniodb/core";
import { DataRecordSchema } from "@miniodb/proto";

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error("usage: node main.js <base url>");

const ring = ShardRing.build(["worker-a", "worker-b", "worker-c"]);
const owner = ring.ownerOfRecord("users", "user-1");
let emptyIdError = "";
try {
  ShardRing.build([""]);
} catch (error) {
  if (error instanceof MiniodbError) emptyIdError = error.code;
}

const client = createMiniodbClient({ baseUrl });
const health = await client.db.healthCheck({});
const written = await client.db.writeData({
  table: "consumers",
  data: create(DataRecordSchema, {
    id: "c-1",
    timestamp: timestampFromDate(new Date("2024-01-01T00:00:00Z")),
    payload: { name: "Ada", age: 36 },
  }),
});
const query = await client.db.queryData({ sql: "SELECT id, name, age FROM consumers" });

process.stdout.write(
  JSON.stringify({
    ring: { nodes: ring.nodes, shardCount: ring.shardCount, owner, emptyIdError },
    health: health.status,
    written: written.success,
    rows: JSON.parse(query.resultJson) as unknown,
  }) + "\n",
);
