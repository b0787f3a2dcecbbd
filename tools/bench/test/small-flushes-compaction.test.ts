import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startNode, type BenchNode } from "../src/node-process.js";
import { benchRows } from "../src/query-load.js";
import { QUERY_SUITE, suiteSql } from "../src/query-suite.js";
import { createTable, tableStats, writeInSmallFlushes } from "../src/small-flushes.js";

/**
 * The compaction scenario of the data lifecycle: a table written in 1,000 flushes ends up, after
 * compaction, with at most 10 files per day partition and answers the query suite exactly like
 * the same rows written in one go. The benchmark (`npm run compaction -w @miniodb/bench`) runs the
 * full size, 1,000 rows per flush, and times both tables; here a flush holds 10 rows.
 */
const FLUSHES = 1_000;
const ROWS_PER_FLUSH = 10;
const ROWS = FLUSHES * ROWS_PER_FLUSH;

/** Numbers to 9 significant digits: float sums may differ in the last bits with the file layout. */
function normalized(value: unknown): unknown {
  if (typeof value === "number") return Number(value.toPrecision(9));
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, normalized(inner)]));
  return value;
}

describe("1,000 small flushes, then compaction", () => {
  let node: BenchNode;
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-small-flushes-"));
  const rest = () => `http://127.0.0.1:${node.ports.rest}`;
  const query = async (sql: string) => {
    const response = await fetch(`${rest()}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql }),
    });
    const body = (await response.json()) as { result_json?: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    return normalized(JSON.parse(body.result_json!));
  };
  const suiteAnswers = async (table: string) => {
    const answers: Record<string, unknown> = {};
    for (const { name, sql } of QUERY_SUITE) answers[name] = await query(suiteSql(sql, table));
    return answers;
  };

  before(async () => {
    node = await startNode({
      MINIODB_NODE__DATA_DIR: dataDir,
      MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
      MINIODB_LIFECYCLE__DELETE_GRACE_SECONDS: "0",
    });
  });
  after(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("leaves at most 10 files per partition and answers the query suite like the table written in one go", async () => {
    await createTable(rest(), "whole", ROWS);
    const written = await fetch(`${rest()}/v1/data/batch?table=whole`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: benchRows(0, ROWS).join("\n"),
    });
    assert.equal(written.status, 200, await written.text());
    await createTable(rest(), "small", ROWS_PER_FLUSH);
    await writeInSmallFlushes(rest(), "small", FLUSHES, ROWS_PER_FLUSH);
    const small = await tableStats(rest(), "small");
    assert.equal(small.file_count, FLUSHES);
    assert.equal(small.record_count, ROWS);
    assert.equal((await tableStats(rest(), "whole")).file_count, 1);
    const expected = await suiteAnswers("whole");
    assert.equal((expected["count"] as Array<Record<string, number>>)[0]?.["count_star()"], ROWS);
    assert.deepEqual(await suiteAnswers("small"), expected);

    const response = await fetch(`${rest()}/v1/compaction`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ table: "small" }),
    });
    const body = (await response.json()) as { job: { state: string; result: Record<string, number> } };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.job.state, "succeeded");
    assert.equal(body.job.result["files_before"], FLUSHES);
    const compacted = await tableStats(rest(), "small");
    // Every row lies in one day partition, so the table's files are that partition's.
    assert.ok(compacted.file_count <= 10, `${compacted.file_count} files after compaction`);
    assert.equal(compacted.record_count, ROWS);
    assert.deepEqual(await suiteAnswers("small"), expected);
  });
});
