// The TypeScript client: create a table, stream records in, read them back with SQL, drop it.
//   MINIODB_SERVER  the node's gRPC address (default http://localhost:8080)
//   MINIODB_TOKEN   a bearer token, when the node requires one
//   TABLE           the table to use (default client_demo; dropped at the end)
import { createMiniodbClient, type RecordInput } from "@miniodb/client";

const client = createMiniodbClient({
  baseUrl: process.env["MINIODB_SERVER"] ?? "http://localhost:8080",
  ...(process.env["MINIODB_TOKEN"] ? { token: process.env["MINIODB_TOKEN"] } : {}),
});
const table = process.env["TABLE"] ?? "client_demo";

await client.createTable(table, { bufferSize: 10_000 }, { ifNotExists: true });

// Any iterable or async iterable: records go out in batches over one StreamWrite, pulled only as
// fast as the server takes them.
function* orders(count: number): Generator<RecordInput> {
  for (let i = 0; i < count; i++) {
    yield { id: `order-${i}`, timestamp: new Date(), payload: { customer: `c${i % 3}`, amount: i + 0.5 } };
  }
}
const written = await client.writeRecords(table, orders(1_000), { batchSize: 250 });
console.log(`wrote ${written.recordsCount} records, ${written.errors.length} errors`);

// Every row of the result, fetched page by page with the query cursor.
for await (const row of client.query(
  `SELECT customer, count(*) AS orders, sum(amount) AS total FROM ${table} GROUP BY customer ORDER BY customer`,
  { pageSize: 2 },
)) {
  console.log(JSON.stringify(row));
}

await client.deleteTable(table, { ifExists: true, cascade: true });
console.log(`dropped ${table}`);
