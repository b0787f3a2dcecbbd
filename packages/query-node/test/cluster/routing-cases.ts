import assert from "node:assert/strict";
import { it } from "node:test";
import { referenceEngine, userRows, writeUsers } from "../support/query-fixtures.js";
import type { ReceivedSpan } from "../support/otlp-receiver.js";
import { requestJson } from "../support/rest.js";
import type { TestCluster } from "../support/test-cluster.js";
import { workerStats } from "../support/worker-stats.js";
import { SUITE } from "./suite.js";

/** Write routing, the split of scans and a trace across nodes; the first case writes the `users` rows every later case reads. */
export function routingCases(cluster: TestCluster): void {
  it("routes writes to both workers and answers like a single node, buffered and flushed rows alike", async () => {
    const listening = cluster.query.listening;
    assert.deepEqual(listening["workers"], ["w1", "w2"]);
    await requestJson(`${cluster.rest()}/v1/tables`, {
      body: { table_name: "users", config: { buffer_size: 1_000 } },
    });
    const rows = userRows(3_000);
    await writeUsers(cluster.rest(), "users", rows);
    cluster.reference = await referenceEngine(cluster.scratch, rows);
    for (const sql of SUITE) assert.deepEqual(await cluster.answers(sql), await cluster.expected(sql), sql);
    const files = cluster.dataFileNodes();
    assert.ok(files.has("w1") && files.has("w2"), `both workers flushed files: ${[...files].join(", ")}`);
  });

  it("reports the records a worker refuses by their index in the batch, the others written", async () => {
    const records = Array.from({ length: 40 }, (_, index) => ({
      id: index === 7 || index === 31 ? `bad id ${index}` : `refused-${index}`,
      timestamp: "2026-03-01T00:00:00Z",
      payload: { n: index },
    }));
    const partly = await requestJson(`${cluster.rest()}/v1/data/batch`, {
      body: { table: "refusals", records },
    });
    assert.equal(partly.status, 200, JSON.stringify(partly.body));
    const body = partly.body as { success: boolean; records_count: number; errors: string[] };
    assert.equal(body.records_count, 38);
    assert.deepEqual(
      body.errors.map((error) => error.split(":")[0]),
      ["record 7", "record 31"],
      JSON.stringify(body.errors),
    );
    assert.deepEqual(await cluster.answers("SELECT count(*) AS n, sum(n) AS total FROM refusals"), [
      { n: 38, total: (39 * 40) / 2 - 7 - 31 },
    ]);
    const none = await requestJson(`${cluster.rest()}/v1/data/batch`, {
      body: { table: "refusals", records: [{ id: "bad id", payload: { n: 1 } }] },
    });
    assert.equal(none.status, 400, JSON.stringify(none.body));
  });

  it("splits a scan between the workers: every row read once, by one of them", async () => {
    const scanned = async () =>
      Promise.all(["w1", "w2"].map(async (id) => (await workerStats(cluster.workers.get(id)!)).rowsScanned));
    const before = await scanned();
    assert.deepEqual(await cluster.answers("SELECT count(*) AS n FROM users"), [{ n: 3_000 }]);
    const after = await scanned();
    const deltas = after.map((value, index) => value - before[index]!);
    assert.equal(deltas[0]! + deltas[1]!, 3_000, `rows scanned per worker: ${deltas.join(", ")}`);
    assert.ok(
      deltas.every((delta) => delta > 0),
      `both workers scanned: ${deltas.join(", ")}`,
    );
  });

  it("traces a write from the query node into the worker that takes it (W3C traceparent)", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await requestJson(`${cluster.rest()}/v1/tables`, { body: { table_name: "traced" } });
    const response = await fetch(`${cluster.rest()}/v1/data`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: JSON.stringify({ table: "traced", data: { id: "traced-1", payload: { name: "t" } } }),
    });
    assert.equal(response.status, 200);
    const inTrace = (name: string, node?: string) =>
      cluster.traces.spans.find(
        (span) =>
          span.traceId === traceId && span.name === name && (node === undefined || span.node === node),
      );
    let request: ReceivedSpan | undefined;
    let call: ReceivedSpan | undefined;
    let served: ReceivedSpan | undefined;
    let append: ReceivedSpan | undefined;
    for (let attempt = 0; attempt < 150 && !append; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      request = inTrace("POST write", "q1");
      call = inTrace("miniodb.cluster.v1.WorkerService/WriteBatch", "q1");
      served = cluster.traces.spans.find(
        (span) => span.traceId === traceId && span.node !== "q1" && span.parentSpanId === call?.spanId,
      );
      append = cluster.traces.spans.find(
        (span) => span.name === "wal.append" && span.parentSpanId === served?.spanId,
      );
    }
    assert.ok(
      request && call && served && append,
      JSON.stringify(cluster.traces.spans.filter((s) => s.traceId === traceId)),
    );
    assert.equal(request.attributes["miniodb.table"], "traced");
    assert.equal(request.attributes["miniodb.rows"], 1);
    assert.equal(call.parentSpanId, request.spanId);
    assert.equal(call.attributes["miniodb.rows"], 1);
    assert.equal(served.name, "miniodb.cluster.v1.WorkerService/WriteBatch");
    assert.ok(["w1", "w2"].includes(served.node), served.node);
    assert.equal(served.attributes["miniodb.table"], "traced");
    assert.equal(append.node, served.node);
    assert.equal(append.attributes["miniodb.rows"], 1);
  });

  it("traces a query through its phases on the query node and its fragment on each worker", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${cluster.rest()}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ sql: "SELECT count(*) AS n FROM traced" }),
    });
    assert.equal(response.status, 200);
    const spans = () => cluster.traces.spans.filter((span) => span.traceId === traceId);
    const childrenOf = (parent: ReceivedSpan | undefined, name: string) =>
      spans().filter((span) => span.parentSpanId === parent?.spanId && span.name === name);
    const fragmentSteps = () =>
      spans().filter((span) => span.name === "fragment.inputs" || span.name === "fragment.run");
    const prepareSpan = () => spans().find((span) => span.node === "q1" && span.name === "query.prepare");
    // Each process exports its spans in its own time: wait for the query node's and the workers'.
    const phases = ["query.snapshot", "query.plan", "query.fragments", "query.results"];
    const exported = () =>
      fragmentSteps().length >= 4 && phases.every((phase) => childrenOf(prepareSpan(), phase).length > 0);
    for (let attempt = 0; attempt < 150 && !exported(); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const trace = JSON.stringify(spans().map((span) => [span.node, span.name]));
    const prepare = prepareSpan();
    for (const phase of phases)
      assert.equal(childrenOf(prepare, phase).length, 1, `${phase} under query.prepare: ${trace}`);
    const [fragments] = childrenOf(prepare, "query.fragments");
    const calls = childrenOf(fragments, "miniodb.cluster.v1.WorkerService/ExecuteFragment");
    assert.equal(calls.length, 2, `one call per worker: ${trace}`);
    const served = calls.flatMap((call) =>
      childrenOf(call, "miniodb.cluster.v1.WorkerService/ExecuteFragment"),
    );
    assert.deepEqual(served.map((span) => span.node).sort(), ["w1", "w2"], trace);
    for (const span of served)
      for (const step of ["fragment.inputs", "fragment.run"])
        assert.equal(
          childrenOf(span, step).length,
          1,
          `${step} under ${span.node}'s ExecuteFragment: ${trace}`,
        );
  });

  it("runs an aggregate subquery first and joins its result on every worker, one round each", async () => {
    const traceId = "5cf92f3577b34da6a3ce929d0e0e4737";
    const sql =
      "SELECT u.city, count(*) AS n FROM users u JOIN (SELECT city, max(age) - 10 AS a FROM users GROUP BY city) g " +
      "ON g.city = u.city WHERE u.age > g.a GROUP BY u.city ORDER BY u.city";
    const response = await fetch(`${cluster.rest()}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ sql }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { result_json: string };
    assert.deepEqual(JSON.parse(body.result_json), await cluster.expected(sql));
    const spans = () => cluster.traces.spans.filter((span) => span.traceId === traceId);
    const named = (name: string) => spans().filter((span) => span.node === "q1" && span.name === name);
    const callsUnder = (name: string) =>
      spans().filter(
        (span) =>
          span.node === "q1" &&
          span.name === "miniodb.cluster.v1.WorkerService/ExecuteFragment" &&
          named(name).some((phase) => phase.spanId === span.parentSpanId),
      );
    for (let attempt = 0; attempt < 150 && callsUnder("query.fragments").length < 2; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const trace = JSON.stringify(spans().map((span) => [span.node, span.name]));
    assert.equal(named("query.stages").length, 1, trace);
    assert.equal(callsUnder("query.stages").length, 2, `the subquery: one call per worker: ${trace}`);
    assert.equal(callsUnder("query.fragments").length, 2, `the join: one call per worker: ${trace}`);
  });
}
