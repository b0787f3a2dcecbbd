// A program written the way a user of the published packages writes it: it imports the packages
// by name, is compiled by tsc against their declaration files and runs on plain Node.
// Usage: node main.js <base url of a running node>
import { createMiniodbClient, type RecordInput } from "@miniodb/client";
import { MiniodbError, ShardRing } from "@miniodb/core";
import { MinIODBService } from "@miniodb/proto";

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
await client.createTable("consumers", { bufferSize: 100 });
const one = await client.writeRecord("consumers", {
  id: "c-0",
  timestamp: "2024-01-01T00:00:00Z",
  payload: { name: "Ada", age: 36 },
});
function* more(): Generator<RecordInput> {
  for (let i = 1; i <= 250; i++) yield { id: `c-${i}`, payload: { name: `n${i}`, age: i } };
}
const many = await client.writeRecords("consumers", more(), { batchSize: 100 });
const rows: unknown[] = [];
for await (const row of client.query("SELECT id, age FROM consumers ORDER BY age", { pageSize: 100 }))
  rows.push(row);
let streamed = 0;
for await (const record of client.streamQuery("SELECT * FROM consumers")) if (record.id) streamed++;

process.stdout.write(
  JSON.stringify({
    ring: { nodes: ring.nodes, shardCount: ring.shardCount, owner, emptyIdError },
    service: MinIODBService.typeName,
    health: health.status,
    written: { one: one.success, many: many.recordsCount, errors: many.errors },
    rows: { count: rows.length, first: rows[0], last: rows.at(-1) },
    streamed,
    tables: (await client.listTables()).map((table) => table.name),
  }) + "\n",
);
