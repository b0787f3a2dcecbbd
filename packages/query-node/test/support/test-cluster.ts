import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDbEngine } from "@miniodb/executor";
import { startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";
import { backendEnv } from "./backend-env.js";
import { OtlpReceiver } from "./otlp-receiver.js";
import { sampleSum, scrape } from "./prometheus-scrape.js";
import { queryRows } from "./query-fixtures.js";
import { requestJson } from "./rest.js";
import { spawnNode, type SpawnedNode } from "./spawn-node.js";

/** The body of a lifecycle job's REST answer (`POST /v1/compaction`, …). */
export interface JobBody {
  job_id: string;
  job: { state: string; result: Record<string, number> };
}

/**
 * A cluster of separate processes on real Redis and two S3 servers: query nodes q1 and q2 and
 * workers w1 and w2 once started; tests add, stop and restart workers and query nodes. `stop`
 * kills every process it started, even after a failed `start`.
 */
export class TestCluster {
  /** Every node process started, stopped or not. */
  readonly nodes: SpawnedNode[] = [];
  /** The latest process of each worker id. */
  readonly workers = new Map<string, SpawnedNode>();
  /** Data directories of the workers, one per worker id, kept across restarts. */
  readonly scratch = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-cluster-")));
  /** A plain DuckDB table holding the rows the cluster should hold; set by the first case. */
  reference!: DuckDbEngine;
  query!: SpawnedNode;
  /** A second query node: clients may use either. */
  query2!: SpawnedNode;

  redis!: RedisServerProcess;
  primary!: S3rverProcess;
  backup!: S3rverProcess;
  traces!: OtlpReceiver;

  /** Starts Redis, the S3 servers, a trace receiver, workers w1 and w2 and query nodes q1 and q2. */
  async start(): Promise<void> {
    [this.redis, this.primary, this.backup, this.traces] = await Promise.all([
      startRedisServer(),
      S3rverProcess.start(),
      S3rverProcess.start(),
      OtlpReceiver.start(),
    ]);
    await Promise.all([this.startWorker("w1"), this.startWorker("w2")]);
    // q1 and q2 run lifecycle jobs only on demand; the lease case starts query nodes that schedule them.
    const queryNode = (id: string) =>
      this.startNode(["--role", "query", "--node-id", id], {
        MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
        MINIODB_LIFECYCLE__COMPACTION_MIN_SMALL_FILES: "2",
      });
    [this.query, this.query2] = await Promise.all([queryNode("q1"), queryNode("q2")]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop("SIGKILL")));
    await Promise.all([
      this.redis?.stop(),
      this.primary?.dispose(),
      this.backup?.dispose(),
      this.traces?.stop(),
    ]);
    this.reference?.close();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** q1's REST base URL. */
  rest(): string {
    return `http://127.0.0.1:${this.query.ports.rest}`;
  }

  /** The environment every node of the cluster shares, fast heartbeats and traces included. */
  env(): Record<string, string> {
    return {
      ...backendEnv({ primary: this.primary, backup: this.backup, redisPort: this.redis.port }),
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
      MINIODB_CLUSTER__HEARTBEAT_INTERVAL_MS: "200",
      MINIODB_CLUSTER__HEARTBEAT_TTL_MS: "3000",
      MINIODB_CLUSTER__MEMBERSHIP_POLL_MS: "200",
      MINIODB_OBSERVABILITY__TRACING__EXPORTER: "otlp",
      MINIODB_OBSERVABILITY__TRACING__OTLP__ENDPOINT: this.traces.url,
      MINIODB_OBSERVABILITY__TRACING__EXPORT_INTERVAL_MS: "100",
    };
  }

  /** Starts a node on the cluster's environment plus `extraEnv`; `stop` kills it. */
  async startNode(args: string[], extraEnv: Record<string, string> = {}): Promise<SpawnedNode> {
    const node = await spawnNode(args, { ...this.env(), ...extraEnv });
    this.nodes.push(node);
    return node;
  }

  /** Starts (or restarts) a worker: a restarted worker keeps its data directory (its WAL) and its id. */
  async startWorker(id: string): Promise<SpawnedNode> {
    const node = await this.startNode(["--role", "worker", "--node-id", id, "--cluster-port", "0"], {
      MINIODB_NODE__DATA_DIR: join(this.scratch, id),
    });
    this.workers.set(id, node);
    return node;
  }

  /** The worker's cluster port (its internal API, /metrics and /v1/health). */
  clusterPort(id: string): number {
    return (this.workers.get(id)!.listening["ports"] as { cluster: number }).cluster;
  }

  /** q1's answer to `sql`. */
  async answers(sql: string): Promise<Array<Record<string, unknown>>> {
    return (await queryRows(this.rest(), sql)).rows;
  }

  /** The reference table's answer to `sql`. */
  async expected(sql: string): Promise<Array<Record<string, unknown>>> {
    return await this.reference.query(sql);
  }

  /** The table's unflushed rows summed over the workers' own metrics. */
  async bufferedOnWorkers(table: string): Promise<number> {
    let rows = 0;
    for (const id of this.workers.keys()) {
      const metrics = await scrape(`http://127.0.0.1:${this.clusterPort(id)}/metrics`);
      rows += sampleSum(metrics, "miniodb_table_unflushed_records", { table });
    }
    return rows;
  }

  async fileCount(table: string): Promise<number> {
    const response = await requestJson<{ table_info: { stats: { file_count: number } } }>(
      `${this.rest()}/v1/tables/${table}`,
    );
    return response.body.table_info.stats.file_count;
  }

  /** Runs a compaction of `table` through q1 and returns the job's result. */
  async compact(table: string): Promise<Record<string, number>> {
    const run = await requestJson<JobBody>(`${this.rest()}/v1/compaction`, { body: { table } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.job.state, "succeeded");
    return run.body.job.result;
  }

  /** Polls `done` every 100 ms for up to 15 s. */
  async until(what: string, done: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 150; attempt++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting until ${what}`);
  }

  /** Runs `redis-cli` against the cluster's Redis and returns its output lines. */
  redisCli(...args: string[]): string[] {
    const out = spawnSync("redis-cli", ["-p", String(this.redis.port), ...args], { encoding: "utf8" });
    return out.stdout.split("\n").filter((line) => line !== "");
  }

  /** Node ids in the names of the data files on the primary S3 server (`<node>-<seq>.parquet`). */
  dataFileNodes(): Set<string> {
    const nodes = new Set<string>();
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(directory, entry.name));
        const match = /^(w\d+)-.*\.parquet/.exec(entry.name);
        if (match) nodes.add(match[1]!);
      }
    };
    walk(this.primary.directory);
    return nodes;
  }
}
