import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { redisTestSkip, startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { MinIODBService } from "@miniodb/proto";
import { S3rverProcess } from "@miniodb/storage/testing";
import { backendEnv } from "./support/backend-env.js";
import { sampleSum, scrape } from "./support/prometheus-scrape.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

interface StatusJson {
  health_status: string;
  components: Record<string, { status: string; detail: string }>;
  buffer_stats: Record<string, number>;
  redis_stats: Record<string, number>;
  minio_stats: Record<string, number>;
  nodes: Array<{ id: string }>;
  total_nodes: number;
}

const INTERVAL_SECONDS = 1;

/**
 * Health, status and pool metrics of a node on real Redis and two real S3 servers, while the
 * primary pool and then Redis are stopped by pid.
 */
describe("health and status on Redis and S3", { skip: redisTestSkip(Boolean(process.env["CI"])) }, () => {
  let redis: RedisServerProcess;
  let primary: S3rverProcess;
  let backup: S3rverProcess;
  let node: SpawnedNode;
  const rest = () => `http://127.0.0.1:${node.ports.rest}`;
  const status = async () => (await requestJson<StatusJson>(`${rest()}/v1/status`)).body;
  /** Polls until `check` passes; the background probes run every INTERVAL_SECONDS. */
  async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + (INTERVAL_SECONDS * 2 + 8) * 1000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, what);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    [redis, primary, backup] = await Promise.all([
      startRedisServer(),
      S3rverProcess.start(),
      S3rverProcess.start(),
    ]);
    node = await spawnNode(["--node-id", "status-node"], {
      MINIODB_OBSERVABILITY__HEALTH_CHECK_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
      MINIODB_OBSERVABILITY__PROBE_TIMEOUT_MS: "1000",
      MINIODB_METADATA__REDIS__COMMAND_TIMEOUT_MS: "1000",
      MINIODB_STORAGE__PROBE_INTERVAL_SECONDS: "1",
      ...backendEnv({ primary, backup, redisPort: redis.port }),
    });
  });
  after(async () => {
    await node?.stop();
    await Promise.all([redis?.stop(), primary?.dispose(), backup?.dispose()]);
  });

  it("reports every component, the pools and the node while all is well", async () => {
    await requestJson(`${rest()}/v1/tables`, { body: { table_name: "users", config: { buffer_size: 10 } } });
    const records = Array.from({ length: 25 }, (_, i) => ({ id: `u-${i}`, payload: { i } }));
    await requestJson(`${rest()}/v1/data/batch`, { body: { table: "users", records } });
    const health = await requestJson<{ status: string; components: Record<string, unknown> }>(
      `${rest()}/v1/health`,
    );
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "healthy");
    assert.deepEqual(Object.keys(health.body.components).sort(), [
      "buffers",
      "duckdb",
      "metadata",
      "storage.backup",
      "storage.primary",
    ]);
    const body = await status();
    assert.equal(body.health_status, "healthy");
    assert.equal(body.redis_stats["up"], 1);
    assert.equal(body.redis_stats["total_connections"], 1);
    assert.equal(body.minio_stats["primary.up"], 1);
    assert.equal(body.minio_stats["backup.up"], 1);
    assert.equal(body.buffer_stats["users.buffer_size"], 10);
    assert.deepEqual(
      body.nodes.map((entry) => entry.id),
      ["status-node"],
    );
    assert.equal(body.total_nodes, 1);
    // The wire form, over Connect.
    const client = createClient(
      MinIODBService,
      createConnectTransport({ baseUrl: rest(), httpVersion: "1.1" }),
    );
    const reply = await client.getStatus({});
    assert.equal(reply.totalNodes, 1);
    assert.equal(reply.redisStats["up"], 1n);
    assert.equal(reply.minioStats["primary.up"], 1n);
    const metrics = await client.getMetrics({});
    assert.equal(metrics.systemInfo["metadata_backend"], "redis-standalone");
    assert.equal(metrics.systemInfo["storage_backend"], "s3+backup");
    assert.ok((metrics.performanceMetrics["health_score"] ?? 0) > 90);
    // S3 connections are kept alive after the flushes that uploaded files.
    await eventually("files flushed", async () => (await status()).minio_stats["objects_total"]! >= 1);
    const scraped = await scrape(`${rest()}/metrics`);
    assert.ok(sampleSum(scraped, "miniodb_minio_pool_idle_connections", { pool: "primary" }) >= 1);
    assert.equal(sampleSum(scraped, "miniodb_redis_pool_idle_connections", { node: "status-node" }), 1);
  });

  it("is degraded, still ready, when the primary pool stops, and says so in status and metrics", async () => {
    await primary.kill();
    await eventually("storage.primary down in /metrics", async () => {
      const scraped = await scrape(`${rest()}/metrics`);
      return sampleSum(scraped, "miniodb_component_up", { component: "storage.primary" }) === 0;
    });
    const health = await requestJson<{ status: string }>(`${rest()}/v1/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "degraded");
    assert.equal((await requestJson(`${rest()}/v1/health/ready`)).status, 200);
    const body = await status();
    assert.equal(body.health_status, "degraded");
    assert.equal(body.components["storage.primary"]?.status, "down");
    assert.equal(body.components["storage.backup"]?.status, "ok");
    assert.equal(body.minio_stats["primary.up"], 0);
  });

  it("is unhealthy and not ready, but live, when Redis stops", async () => {
    await redis.stop();
    await eventually("metadata down in /metrics", async () => {
      const scraped = await scrape(`${rest()}/metrics`);
      return sampleSum(scraped, "miniodb_component_up", { component: "metadata" }) === 0;
    });
    const scraped = await scrape(`${rest()}/metrics`);
    assert.ok(sampleSum(scraped, "miniodb_system_health_score") < 70, "the original's alert threshold");
    // Table gauges keep their last values while the metadata store is away.
    assert.ok(sampleSum(scraped, "miniodb_table_record_count", { table: "users" }) === 25);
    const health = await requestJson<{ status: string; details: Record<string, string> }>(
      `${rest()}/v1/health`,
    );
    assert.equal(health.status, 503);
    assert.equal(health.body.status, "unhealthy");
    assert.notEqual(health.body.details["metadata"], "ok");
    assert.equal((await requestJson(`${rest()}/v1/health/ready`)).status, 503);
    assert.equal((await requestJson(`${rest()}/v1/health/live`)).status, 200);
    const body = await status();
    assert.equal(body.health_status, "unhealthy");
    assert.equal(body.components["metadata"]?.status, "down");
    assert.equal(body.redis_stats["up"], 0);
    assert.deepEqual(
      body.nodes.map((entry) => entry.id),
      ["status-node"],
    );
  });
});
