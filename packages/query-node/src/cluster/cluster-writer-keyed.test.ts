import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  HybridClock,
  ID_STRATEGIES,
  MiniodbError,
  normalizeTableConfig,
  ShardRing,
  type NodeEntry,
  type TableEntry,
} from "@miniodb/core";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { decodeRowBlock, decodeWriteResult, encodeWriteResult, type WriteResult } from "@miniodb/worker-node";
import type { ClusterMembership } from "./cluster-membership.js";
import { ClusterWriter } from "./cluster-writer.js";
import type { WorkerClients } from "./worker-clients.js";

interface WriteBatchCall {
  readonly table: string;
  readonly rowBlock: Uint8Array;
  readonly idempotencyKey?: string;
}

/**
 * Workers as the query node sees them: each checks that it owns every record's shard, and, like a
 * real worker, answers a keyed batch from the result stored in the shared metadata store under its
 * key, or writes it and stores the result. `fail` makes a worker fail after writing (the query node
 * loses the answer, as when it crashes or the call times out).
 */
class FakeCluster {
  readonly rows: Array<{ worker: string; id: string }> = [];
  readonly fail = new Set<string>();
  /** The ring the workers check ownership against. */
  ring: ShardRing;
  /** The ring query nodes route by until they refresh, when it lags behind (a worker joined). */
  stale: ShardRing | undefined;
  #sequence = 0n;

  constructor(
    readonly metadata: EmbeddedMetadataStore,
    workers: string[],
  ) {
    this.ring = ShardRing.build(workers);
  }

  membership(): ClusterMembership {
    const workers = () => this.ring.nodes.map(nodeEntry);
    return {
      get workers() {
        return workers();
      },
      requireRing: () => this.stale ?? this.ring,
      refresh: async () => {
        this.stale = undefined;
        return [];
      },
    } as unknown as ClusterMembership;
  }

  clients(): WorkerClients {
    return {
      of: (worker: NodeEntry) => ({ writeBatch: (call: WriteBatchCall) => this.#write(worker.id, call) }),
    } as unknown as WorkerClients;
  }

  async #write(worker: string, call: WriteBatchCall) {
    const rows = decodeRowBlock(call.rowBlock);
    const ownerOf = this.ring.ownersOfRecords(call.table);
    if (rows.some((row) => ownerOf(row.id ?? "") !== worker)) {
      throw new MiniodbError("aborted", "not mine", { details: { reason: "shard_moved" } });
    }
    const now = new Date();
    const stored = call.idempotencyKey && (await this.metadata.getIdempotency(call.idempotencyKey, now));
    let result: WriteResult;
    if (stored) {
      result = decodeWriteResult(stored.response);
    } else {
      for (const row of rows) this.rows.push({ worker, id: row.id ?? "" });
      const firstSequence = this.#sequence + 1n;
      this.#sequence += BigInt(rows.length);
      result = {
        written: rows.length,
        errors: [],
        ids: rows.map((row) => row.id ?? ""),
        firstSequence,
        lastSequence: this.#sequence,
      };
      if (call.idempotencyKey) {
        const expiresAt = new Date(now.getTime() + 60_000);
        await this.metadata.putIdempotency(
          { key: call.idempotencyKey, response: encodeWriteResult(result), expiresAt },
          now,
        );
      }
    }
    if (this.fail.delete(worker))
      throw new MiniodbError("deadline_exceeded", `worker ${worker} did not answer in time`);
    return {
      nodeId: worker,
      recordsWritten: BigInt(result.written),
      firstSequence: result.firstSequence ?? 0n,
      lastSequence: result.lastSequence ?? 0n,
      errors: [],
      ids: [...result.ids],
    };
  }

  queryNode(nodeId: string): ClusterWriter {
    return new ClusterWriter({
      nodeId,
      metadata: this.metadata,
      membership: this.membership(),
      clients: this.clients(),
      clock: new HybridClock(),
      rerouteWindowMs: 10_000,
      idempotencyWindowMs: 600_000,
    });
  }
}

function nodeEntry(id: string): NodeEntry {
  return { id, role: "worker", address: `${id}:7070`, startedAt: new Date(0), expiresAt: new Date(8.64e15) };
}

const records = Array.from({ length: 40 }, (_, n) => ({ payload: { n } }));

function tableOf(idStrategy: (typeof ID_STRATEGIES)[number]): TableEntry {
  return {
    name: `t_${idStrategy}`,
    config: normalizeTableConfig({ idStrategy, autoGenerateId: true, idPrefix: "" }),
    createdAt: new Date(1_000),
  };
}

function assertOnce(cluster: FakeCluster, result: WriteResult) {
  assert.equal(cluster.rows.length, records.length, "every record written once");
  assert.deepEqual([...cluster.rows.map((row) => row.id)].sort(), [...result.ids].sort());
  assert.equal(new Set(result.ids).size, records.length);
}

describe("ClusterWriter with an idempotency key", () => {
  let directory: string;
  let metadata: EmbeddedMetadataStore;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), "miniodb-keyed-write-"));
    metadata = await EmbeddedMetadataStore.create({ path: join(directory, "metadata.db") });
  });
  after(async () => {
    await metadata.close();
    rmSync(directory, { recursive: true, force: true });
  });

  for (const strategy of ID_STRATEGIES) {
    it(`answers a retry on another query node with the first result (${strategy} ids)`, async () => {
      const cluster = new FakeCluster(metadata, ["w1", "w2", "w3"]);
      const table = tableOf(strategy);
      const first = await cluster
        .queryNode("q1")
        .write(table, records, { partial: true, idempotencyKey: `k-${strategy}` });
      const again = await cluster
        .queryNode("q1")
        .write(table, records, { partial: true, idempotencyKey: `k-${strategy}` });
      const other = await cluster
        .queryNode("q2")
        .write(table, records, { partial: true, idempotencyKey: `k-${strategy}` });
      assert.deepEqual(again, first);
      assert.deepEqual(other, first);
      assertOnce(cluster, first);
    });
  }

  it("completes a write whose query node lost some answers, without writing any part twice", async () => {
    const cluster = new FakeCluster(metadata, ["w1", "w2", "w3"]);
    const table = tableOf("uuid");
    cluster.fail.add("w2");
    await assert.rejects(
      cluster.queryNode("q1").write(table, records, { partial: true, idempotencyKey: "lost" }),
      { code: "deadline_exceeded" },
    );
    const written = cluster.rows.length;
    assert.ok(written > 0 && written <= records.length);
    const retry = await cluster
      .queryNode("q2")
      .write(table, records, { partial: true, idempotencyKey: "lost" });
    assert.equal(retry.written, records.length);
    assertOnce(cluster, retry);
    assert.deepEqual(
      await cluster.queryNode("q3").write(table, records, { partial: true, idempotencyKey: "lost" }),
      retry,
    );
  });

  it("keeps the first call's parts when the ring changed before the retry", async () => {
    const cluster = new FakeCluster(metadata, ["w1", "w2"]);
    const table = tableOf("snowflake");
    cluster.fail.add("w1");
    cluster.fail.add("w2");
    await assert.rejects(
      cluster.queryNode("q1").write(table, records, { partial: true, idempotencyKey: "ring" }),
      { code: "deadline_exceeded" },
    );
    assert.equal(cluster.rows.length, records.length);
    cluster.ring = cluster.ring.withNode("w3");
    const retry = await cluster
      .queryNode("q2")
      .write(table, records, { partial: true, idempotencyKey: "ring" });
    assertOnce(cluster, retry);
  });

  it("resends a rerouted first call's parts as they were logged", async () => {
    const cluster = new FakeCluster(metadata, ["w1", "w2"]);
    const table = tableOf("custom");
    // w3 joined, but the first call routes by the ring before: the workers refuse what is now
    // w3's, the call splits those parts and sends the pieces to w3, whose answer is then lost.
    cluster.stale = cluster.ring;
    cluster.ring = cluster.ring.withNode("w3");
    cluster.fail.add("w3");
    await assert.rejects(
      cluster.queryNode("q1").write(table, records, { partial: true, idempotencyKey: "reroute" }),
      { code: "deadline_exceeded" },
    );
    assert.equal(cluster.rows.length, records.length);
    assert.ok(cluster.rows.some((row) => row.worker === "w3"));
    const retry = await cluster
      .queryNode("q2")
      .write(table, records, { partial: true, idempotencyKey: "reroute" });
    assertOnce(cluster, retry);
  });

  it("returns the first result to a retry with another body, as a single node does", async () => {
    const cluster = new FakeCluster(metadata, ["w1", "w2"]);
    const table = tableOf("uuid");
    const first = await cluster
      .queryNode("q1")
      .write(table, records, { partial: true, idempotencyKey: "body" });
    const other = await cluster
      .queryNode("q2")
      .write(table, records.slice(0, 3), { partial: true, idempotencyKey: "body" });
    assert.deepEqual(other, first);
    assertOnce(cluster, first);
  });

  it("refuses a key a single node would refuse", async () => {
    const cluster = new FakeCluster(metadata, ["w1"]);
    await assert.rejects(
      cluster.queryNode("q1").write(tableOf("uuid"), records, { idempotencyKey: "has space" }),
      { code: "invalid_argument" },
    );
  });
});
