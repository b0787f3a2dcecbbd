import assert from "node:assert/strict";
import { it } from "node:test";
import { requestJson } from "../support/rest.js";
import type { SpawnedNode } from "../support/spawn-node.js";
import type { TestCluster } from "../support/test-cluster.js";

/** Scheduled jobs under the lifecycle lease. */
export function leaseCases(cluster: TestCluster): void {
  it("runs the scheduled jobs on one query node at a time: the lease holder, then the next one once it leaves", async () => {
    const scheduling = {
      MINIODB_LIFECYCLE__INTERVAL_SECONDS: "1",
      MINIODB_LIFECYCLE__BACKUP_INTERVAL_SECONDS: "1",
      // The test's keep-alive connections would hold each stop for the whole default grace.
      MINIODB_SERVER__SHUTDOWN_GRACE_SECONDS: "1",
    };
    const pair = new Map(
      await Promise.all(
        ["qa", "qb"].map(
          async (id) =>
            [id, await cluster.startNode(["--role", "query", "--node-id", id], scheduling)] as const,
        ),
      ),
    );
    const scheduled = async (node: SpawnedNode) => {
      const listed = await requestJson<{ jobs: Array<{ kind: string }> }>(
        `http://127.0.0.1:${node.ports.rest}/v1/jobs`,
      );
      return listed.body.jobs.map((job) => job.kind);
    };
    const lease = () => {
      const fields = cluster.redisCli("HGETALL", "lease:lifecycle");
      const entry: Record<string, string> = {};
      for (let index = 0; index + 1 < fields.length; index += 2) entry[fields[index]!] = fields[index + 1]!;
      return entry;
    };
    /** The kinds of the jobs each of the two ran, by node id. */
    const ran = async () =>
      new Map(await Promise.all([...pair].map(async ([id, node]) => [id, await scheduled(node)] as const)));
    await cluster.until("one query node ran three scheduled rounds", async () =>
      [...(await ran()).values()].some((kinds) => kinds.filter((kind) => kind === "compaction").length >= 3),
    );
    const kinds = await ran();
    const [holderId, otherId] = [...kinds.keys()].sort((a, b) => kinds.get(b)!.length - kinds.get(a)!.length);
    const [holder, other] = [pair.get(holderId!)!, pair.get(otherId!)!];
    assert.equal(
      kinds.get(otherId!)!.length,
      0,
      `only the lease holder ran jobs: ${JSON.stringify(Object.fromEntries(kinds))}`,
    );
    assert.ok((await scheduled(holder)).includes("backup"), "the holder took the scheduled backup");
    const held = lease();
    assert.equal(held["holder"], holderId);
    // Leaving gracefully hands the lease back; the other query node takes it with a new token.
    assert.equal(await holder.stop("SIGTERM"), 0);
    await cluster.until("the other query node took over", async () => (await scheduled(other)).length > 0);
    const taken = lease();
    assert.equal(taken["holder"], otherId);
    assert.equal(Number(taken["token"]), Number(held["token"]) + 1);
    assert.equal(await other.stop("SIGTERM"), 0);
  });
}
