import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { withReplicaAcks } from "./with-replica-acks.js";

/** A client that answers every call and reports `acked` replicas to WAIT. */
function fakeClient(acked: number): { client: RedisClient; calls: string[] } {
  const calls: string[] = [];
  const answer = (name: string, value: unknown) => async (): Promise<never> => {
    calls.push(name);
    return value as never;
  };
  const client: RedisClient = {
    eval: answer("eval", ["ok"]),
    eval_ro: answer("eval_ro", ["ok"]),
    get: answer("get", null),
    hmget: answer("hmget", []),
    hgetall: answer("hgetall", {}),
    smembers: answer("smembers", []),
    sadd: answer("sadd", 1),
    srem: answer("srem", 1),
    exists: answer("exists", 0),
    scan: answer("scan", ["0", []]),
    wait: answer("wait", acked),
    ping: answer("ping", "PONG"),
    quit: answer("quit", "OK"),
    disconnect: () => calls.push("disconnect"),
  };
  return { client, calls };
}

describe("withReplicaAcks", () => {
  it("confirms scripts and index updates with WAIT, not plain reads", async () => {
    const { client, calls } = fakeClient(1);
    const acked = withReplicaAcks(client, { replicas: 1, timeoutMs: 100 });
    assert.deepEqual(await acked.eval("return 1", 0), ["ok"]);
    await acked.sadd("tables", "a");
    await acked.hmget("k", "f");
    await acked.eval_ro("return 1", 0);
    await acked.quit();
    assert.deepEqual(calls, ["eval", "wait", "sadd", "wait", "hmget", "eval_ro", "quit"]);
  });

  it("fails unavailable when too few replicas confirm in time", async () => {
    const { client } = fakeClient(0);
    const acked = withReplicaAcks(client, { replicas: 1, timeoutMs: 100 });
    await assert.rejects(acked.eval("return 1", 0), (error: unknown) => {
      assert.ok(MiniodbError.is(error, "unavailable") && error.retryable, String(error));
      return true;
    });
  });

  it("refuses Cluster clients and nonsense settings", () => {
    const { client } = fakeClient(1);
    const cluster: RedisClient = { ...client, nodes: () => [client] };
    const invalid = (error: unknown) => MiniodbError.is(error, "invalid_argument");
    assert.throws(() => withReplicaAcks(cluster, { replicas: 1, timeoutMs: 100 }), invalid);
    assert.throws(() => withReplicaAcks(client, { replicas: 0, timeoutMs: 100 }), invalid);
  });
});
