/**
 * Compaction benchmark of one embedded node: a table written in many small flushes, compacted,
 * against the same rows written in one go, side by side in one run.
 *
 *   npm run compaction -w @miniodb/bench -- [--flushes 1000] [--rows-per-flush 1000] [--runs 5]
 *
 * 1. Loads `flushes × rows-per-flush` rows into `bench_whole` through the REST batch route and
 *    restarts the node, so that they are flushed in as few files as the buffer limits allow.
 * 2. Writes the same rows into `bench_small` as `--flushes` separate flushes (one file each, all in
 *    one day partition).
 * 3. Runs the query suite (query-suite.ts) on both tables, alternating, `--runs` times after one
 *    warm-up each, and reports medians and the ratio small / whole.
 * 4. Compacts `bench_small` (POST /v1/compaction) and runs the suite on both tables again.
 * Scheduled lifecycle jobs are off, so only step 4 compacts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadRows } from "./query-load.js";
import { QUERY_SUITE, suiteSql } from "./query-suite.js";
import { startNode, type BenchNode } from "./node-process.js";
import { compactTable, createTable, tableStats, writeInSmallFlushes } from "./small-flushes.js";

const { values } = parseArgs({
  options: {
    flushes: { type: "string", default: "1000" },
    "rows-per-flush": { type: "string", default: "1000" },
    runs: { type: "string", default: "5" },
  },
});
const FLUSHES = Number(values.flushes);
const ROWS_PER_FLUSH = Number(values["rows-per-flush"]);
const ROWS = FLUSHES * ROWS_PER_FLUSH;
const RUNS = Number(values.runs);
const SMALL = "bench_small";
const WHOLE = "bench_whole";

const dataDir = mkdtempSync(join(tmpdir(), "miniodb-compaction-bench-"));
const env = {
  MINIODB_NODE__DATA_DIR: dataDir,
  MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
};
let node: BenchNode = await startNode(env);
const rest = () => `http://127.0.0.1:${node.ports.rest}`;

async function query(sql: string): Promise<void> {
  const response = await fetch(`${rest()}/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`query failed: ${text}`);
}

const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const ms = (value: number) => value.toFixed(1).padStart(8);

/** Medians of the suite on both tables, run alternately so that both see the same load. */
async function sideBySide() {
  const results: Array<{ name: string; small: number; whole: number }> = [];
  for (const { name, sql } of QUERY_SUITE) {
    const small: number[] = [];
    const whole: number[] = [];
    await query(suiteSql(sql, SMALL));
    await query(suiteSql(sql, WHOLE));
    for (let run = 0; run < RUNS; run++) {
      small.push(await timed(() => query(suiteSql(sql, SMALL))));
      whole.push(await timed(() => query(suiteSql(sql, WHOLE))));
    }
    results.push({ name, small: median(small), whole: median(whole) });
  }
  return results;
}

function print(title: string, results: Array<{ name: string; small: number; whole: number }>) {
  console.log(`\n${title}\nquery (median of ${RUNS})            small ms    whole ms   ratio`);
  let worst = 0;
  for (const result of results) {
    const ratio = result.small / result.whole;
    worst = Math.max(worst, ratio);
    console.log(`${result.name.padEnd(32)} ${ms(result.small)}    ${ms(result.whole)}   ${ratio.toFixed(2)}`);
  }
  const total = (key: "small" | "whole") => results.reduce((sum, result) => sum + result[key], 0);
  console.log(
    `whole suite: ${(total("small") / total("whole")).toFixed(2)}×; worst query ${worst.toFixed(2)}×`,
  );
}

try {
  await createTable(rest(), WHOLE, 1_000_000);
  const loadSeconds = await loadRows(rest(), WHOLE, ROWS);
  await node.stop();
  node = await startNode(env);
  console.log(
    `${WHOLE}: ${ROWS} rows loaded in ${loadSeconds.toFixed(1)} s, ${(await tableStats(rest(), WHOLE)).file_count} files`,
  );
  await createTable(rest(), SMALL, ROWS_PER_FLUSH);
  const started = performance.now();
  await writeInSmallFlushes(rest(), SMALL, FLUSHES, ROWS_PER_FLUSH);
  const flushSeconds = (performance.now() - started) / 1000;
  console.log(
    `${SMALL}: ${FLUSHES} flushes of ${ROWS_PER_FLUSH} rows in ${flushSeconds.toFixed(1)} s, ${(await tableStats(rest(), SMALL)).file_count} files`,
  );
  print("before compaction", await sideBySide());
  const compactStarted = performance.now();
  const result = await compactTable(rest(), SMALL);
  console.log(
    `\ncompacted in ${((performance.now() - compactStarted) / 1000).toFixed(1)} s: ${JSON.stringify(result)}`,
  );
  console.log(`${SMALL}: ${(await tableStats(rest(), SMALL)).file_count} files after compaction`);
  print("after compaction", await sideBySide());
} finally {
  await node.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
