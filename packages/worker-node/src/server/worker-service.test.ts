import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { normalizeTableConfig, shardOf, type TableEntry } from "@miniodb/core";
import { ParquetFileWriter } from "@miniodb/executor";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { FlushRequestSchema, WriteBatchRequestSchema } from "@miniodb/proto/cluster";
import { LocalObjectStore } from "@miniodb/storage";
import { encodeRowBlock } from "../ingest/row-block.js";
import { WriteAheadLog } from "../wal/write-ahead-log.js";
import { Worker } from "../worker.js";
import { TableLookup } from "./table-lookup.js";
import { createWorkerService } from "./worker-service.js";
import { WriteAdmission } from "./write-admission.js";

const SHARDS = 4096;

async function startService() {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-worker-service-"));
  mkdirSync(join(dir, "scratch"));
  const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
  const worker = await Worker.start({
    nodeId: "w1",
    metadata,
    objects: await LocalObjectStore.create({ root: join(dir, "objects") }),
    writer: await ParquetFileWriter.create({ workDirectory: join(dir, "scratch") }),
    wal: await WriteAheadLog.open({ directory: join(dir, "wal") }),
    scratchDirectory: join(dir, "scratch"),
    flushCheckIntervalMs: 60_000,
  });
  const service = createWorkerService({
    nodeId: "w1",
    worker,
    tables: new TableLookup(metadata),
    admission: new WriteAdmission({ unowned: async () => [] }),
    shardOf: (table, id) => shardOf(table, id, SHARDS),
  });
  const close = async () => {
    await worker.close();
    await metadata.close();
  };
  return { metadata, worker, service, close };
}

describe("WorkerService WriteBatch", () => {
  it("answers the ids of the written records, or none when the sender knows them all", async () => {
    const { metadata, service, close } = await startService();
    await metadata.createTable({
      name: "t",
      config: normalizeTableConfig({ autoGenerateId: true }),
      createdAt: new Date(1_000),
    });
    const payload = { json: '{"n":1}', keys: ["n"], types: ["BIGINT" as const] };
    const write = (ids: string[], omitIds: boolean) =>
      service.writeBatch!(
        create(WriteBatchRequestSchema, {
          table: "t",
          rowBlock: encodeRowBlock(ids.map((id) => ({ id, payload }))),
          omitIds,
        }),
        {} as HandlerContext,
      );
    const answered = await write(["a", "", "c"], false);
    assert.equal(answered.recordsWritten, 3n);
    const ids = answered.ids ?? [];
    assert.equal(ids.length, 3);
    assert.deepEqual([ids[0], ids[2]], ["a", "c"]);
    assert.ok(ids[1] !== "", "the generated id");
    const omitted = await write(["d", "e"], true);
    assert.equal(omitted.recordsWritten, 2n);
    assert.deepEqual(omitted.ids, []);
    await close();
  });
});

describe("WorkerService Flush", () => {
  it("flushes, for a handoff naming shards, only the tables holding rows of them", async () => {
    const { metadata, worker, service, close } = await startService();
    const tables: TableEntry[] = ["a", "b"].map((name) => ({
      name,
      config: normalizeTableConfig({ bufferSize: 1_000_000 }),
      createdAt: new Date(1_000),
    }));
    for (const table of tables) {
      await metadata.createTable(table);
      const records = Array.from({ length: 10 }, (_, i) => ({ id: `${table.name}${i}`, payload: { i } }));
      await worker.write(table, records);
    }
    const moving = shardOf("a", "a3", SHARDS);
    const inB = Array.from({ length: 10 }, (_, i) => shardOf("b", `b${i}`, SHARDS));
    assert.ok(!inB.includes(moving), "b holds no row of the moving shard");
    const held = new Set<number>([
      ...inB,
      ...Array.from({ length: 10 }, (_, i) => shardOf("a", `a${i}`, SHARDS)),
    ]);
    const unused = Array.from({ length: SHARDS }, (_, shard) => shard).find((shard) => !held.has(shard))!;
    const flush = (request: { shards?: number[]; tables?: string[] }) =>
      service.flush!(create(FlushRequestSchema, request), {} as HandlerContext);
    assert.equal((await flush({ shards: [unused] })).recordsFlushed, 0n, "no table holds a row of it");
    assert.equal((await flush({ shards: [moving] })).recordsFlushed, 10n, "a, as a whole");
    assert.equal(worker.tableStats("a").unflushedRows, 0);
    assert.equal(worker.tableStats("b").unflushedRows, 10, "b holds nothing of the moving shard");
    assert.equal((await flush({})).recordsFlushed, 10n, "no shards named: every table");
    assert.equal(worker.tableStats("b").unflushedRows, 0);
    await close();
  });
});
