/**
 * Ways of hiding updated rows in scans, measured in DuckDB alone (one process, no MinIODB code):
 *
 *   npm run delete-scan -w @miniodb/bench -- [--rows 2000000] [--files 24] [--runs 5] [--threads 2]
 *
 * Writes `--rows` rows in `--files` Parquet files, updates every 100th id (delete-scan-data.ts)
 * and runs the query suite over a view of the live rows for each way of reading them
 * (delete-scan-views.ts): a warm-up pass whose results are checked against the id anti-join's,
 * then `--runs` passes, every query on every option in turn (the options' order rotating from
 * pass to pass) so that the machine's load falls on all alike. Prints medians and ratios to the
 * table without updates as Markdown, then the mask joins' suites with one thread against two.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { writeDeleteScanData } from "./delete-scan-data.js";
import { resultsAgree, timingTables } from "./delete-scan-report.js";
import { scanOptions, type ScanOption } from "./delete-scan-views.js";
import { QUERY_SUITE, suiteSql } from "./query-suite.js";
import { loadAverage } from "./load-average.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "2000000" },
    files: { type: "string", default: "24" },
    runs: { type: "string", default: "5" },
    threads: { type: "string", default: "2" },
  },
});
const RUNS = Number(values.runs);
const viewName = (index: number) => `live_${index}`;

async function timedRows(connection: DuckDBConnection, sql: string): Promise<[number, unknown[][]]> {
  const started = performance.now();
  const rows = (await connection.runAndReadAll(sql)).getRowsJson();
  return [performance.now() - started, rows];
}

/** One pass: `times[option][query]`, and each option's rows per query. */
async function pass(connection: DuckDBConnection, options: readonly ScanOption[], rotation: number) {
  const times = options.map(() => QUERY_SUITE.map(() => 0));
  const results = options.map(() => QUERY_SUITE.map((): unknown[][] => []));
  for (const [q, query] of QUERY_SUITE.entries())
    for (let turn = 0; turn < options.length; turn++) {
      const o = (turn + rotation) % options.length;
      [times[o]![q]!, results[o]![q]!] = await timedRows(connection, suiteSql(query.sql, viewName(o)));
    }
  return { times, results };
}

const directory = mkdtempSync(join(tmpdir(), "miniodb-delete-scan-"));
const instance = await DuckDBInstance.create(":memory:");
try {
  const connection = await instance.connect();
  await connection.run(`SET threads = ${Number(values.threads)}`);
  await connection.run("SET parquet_metadata_cache = true");
  const data = await writeDeleteScanData(connection, directory, Number(values.rows), Number(values.files));
  const rowsPerFile: number[] = [];
  for (const path of data.dirty)
    rowsPerFile.push(
      Number((await connection.runAndReadAll(`SELECT count(*) FROM '${path}'`)).getRows()[0]![0]),
    );
  const options = scanOptions(data, rowsPerFile);
  for (const [index, option] of options.entries()) {
    const setupStarted = performance.now();
    for (const statement of option.setup) await connection.run(statement);
    if (option.setup.length > 0)
      console.log(`setup of ${option.name}: ${(performance.now() - setupStarted).toFixed(0)} ms`);
    await connection.run(`CREATE VIEW ${viewName(index)} AS ${option.view}`);
  }
  console.log(
    `${values.rows} rows in ${values.files} files, ${data.updated} updated; threads ${values.threads}; ` +
      `load average at the start ${loadAverage()}`,
  );
  const warmUp = await pass(connection, options, 0);
  console.log(resultsAgree(options, warmUp.results, 1));
  // The suite's answers barely tell updated rows from old ones: also a checksum of every live row.
  for (const [index, option] of options.entries()) {
    const sql = `SELECT count(*), sum(hash(v)::HUGEINT) FROM ${viewName(index)} AS v`;
    console.log(
      `- ${option.name}: rows and checksum ${JSON.stringify((await timedRows(connection, sql))[1])}`,
    );
  }
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push((await pass(connection, options, run + 1)).times);
  console.log(timingTables(options, runs));
  console.log(`load average at the end ${loadAverage()}`);

  // Whether the mask joins run on both threads: their suites with one thread against two.
  const checked = [0, ...options.flatMap((option, o) => (option.name.startsWith("mask join") ? [o] : []))];
  const suiteMs = async (o: number) => {
    let total = 0;
    for (const query of QUERY_SUITE)
      total += (await timedRows(connection, suiteSql(query.sql, viewName(o))))[0];
    return total;
  };
  for (const threads of [1, Number(values.threads)]) {
    await connection.run(`SET threads = ${threads}`);
    const samples = checked.map((): number[] => []);
    for (let run = 0; run < RUNS; run++)
      for (const [k, o] of checked.entries()) samples[k]!.push(await suiteMs(o));
    const medians = samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]!);
    const line = checked.map((o, k) => `${options[o]!.name} ${medians[k]!.toFixed(1)} ms`).join(", ");
    console.log(`threads ${threads}, whole suite: ${line}`);
  }
} finally {
  instance.closeSync();
  rmSync(directory, { recursive: true, force: true });
}
