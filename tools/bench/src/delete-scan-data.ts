import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * The data of the delete-scan benchmark, written straight from DuckDB: `files` Parquet files of
 * contiguous id ranges written like flushes (sorted by id then sequence, zstd, row groups of
 * 32,768 rows; `id`, `timestamp`, `__miniodb_seq` and the query suite's ten payload columns, the
 * values of workload.ts), then every 100th id updated: its new version (`visits = -1`, a higher
 * sequence) in one more file, and a tombstone just below the new sequence, as an update stores it.
 *
 * Beside the data it writes what each way of hiding the dead rows reads: the tombstones as NDJSON
 * (as the node passes them to a query), the dead positions as NDJSON `{"f": file index, "p": row
 * number}`, and for each data file with dead rows a mask file: one BOOLEAN column `dead`, one row
 * per row of the data file, in order.
 */
export interface DeleteScanData {
  readonly directory: string;
  /** The data files of the first write, in id order; each holds dead rows. */
  readonly dirty: readonly string[];
  /** The mask of each dirty file, at the same index. */
  readonly masks: readonly string[];
  /** The file of new versions: no dead rows, but the node lets tombstones touch it. */
  readonly updates: string;
  readonly tombstonesPath: string;
  readonly positionsPath: string;
  /** Dead row numbers of each dirty file, ascending. */
  readonly deadPositions: readonly (readonly number[])[];
  readonly updated: number;
}

const PAYLOAD =
  "'user-' || (i % 100000) AS user, 18 + i % 60 AS age, (i % 1000) / 10 AS score, " +
  "['NO', 'SE', 'DK', 'FI', 'IS'][i % 5 + 1] AS country, i % 3 = 0 AS active, i % 500 AS visits, " +
  "['free', 'pro', 'team'][i % 3 + 1] AS plan, 'device-' || (i % 37) AS device, " +
  "(i * 7) % 900 AS latency_ms, 'r' || (i % 12) AS region";
const PARQUET = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 32768)";
/** Every UPDATE_EVERY-th id gets a new version. */
const UPDATE_EVERY = 100;

export async function writeDeleteScanData(
  connection: DuckDBConnection,
  directory: string,
  rows: number,
  files: number,
): Promise<DeleteScanData> {
  await connection.run(
    `CREATE TEMP TABLE source AS SELECT i, 'q-' || lpad(i::VARCHAR, 9, '0') AS id, ` +
      `TIMESTAMP '2026-11-01' + to_milliseconds(i * 10) AS timestamp, (i + 1)::UBIGINT AS __miniodb_seq, ` +
      `${PAYLOAD} FROM range(${rows}) AS t(i)`,
  );
  const dirty: string[] = [];
  for (let k = 0; k < files; k++) {
    const [low, high] = [Math.floor((k * rows) / files), Math.floor(((k + 1) * rows) / files)];
    dirty.push(join(directory, `data-${String(k).padStart(3, "0")}.parquet`));
    await connection.run(
      `COPY (SELECT * EXCLUDE (i) FROM source WHERE i >= ${low} AND i < ${high} ` +
        `ORDER BY id, __miniodb_seq) TO '${dirty[k]}' ${PARQUET}`,
    );
  }
  // The update of id i has sequence rows + 1 + i / 100; its tombstone is one below.
  const updates = join(directory, "updates.parquet");
  const newSequence = `(${rows} + 1 + i // ${UPDATE_EVERY})::UBIGINT`;
  await connection.run(
    `COPY (SELECT * EXCLUDE (i) REPLACE (${newSequence} AS __miniodb_seq, -1 AS visits) FROM source ` +
      `WHERE i % ${UPDATE_EVERY} = 0 ORDER BY id) TO '${updates}' ${PARQUET}`,
  );
  const tombstonesPath = join(directory, "tombstones.ndjson");
  await connection.run(
    `COPY (SELECT id, (${newSequence} - 1)::VARCHAR AS seq FROM source WHERE i % ${UPDATE_EVERY} = 0) ` +
      `TO '${tombstonesPath}' (FORMAT json)`,
  );
  await connection.run("DROP TABLE source");
  const deadPositions = await writePositions(
    connection,
    dirty,
    tombstonesPath,
    join(directory, "positions.ndjson"),
  );
  const masks: string[] = [];
  for (const [k, path] of dirty.entries()) {
    masks.push(path.replace(/\.parquet$/, ".mask.parquet"));
    await writeMask(connection, path, deadPositions[k]!, masks[k]!);
  }
  const updated = deadPositions.reduce((sum, positions) => sum + positions.length, 0);
  return {
    directory,
    dirty,
    masks,
    updates,
    tombstonesPath,
    positionsPath: join(directory, "positions.ndjson"),
    deadPositions,
    updated,
  };
}

/** The dead row numbers of each file, found through the tombstones, also written as NDJSON. */
async function writePositions(
  connection: DuckDBConnection,
  dirty: readonly string[],
  tombstonesPath: string,
  positionsPath: string,
): Promise<number[][]> {
  const files = dirty.map((path) => `'${path}'`).join(", ");
  const reader = await connection.runAndReadAll(
    `SELECT file_index::INTEGER AS f, file_row_number::INTEGER AS p ` +
      `FROM read_parquet([${files}], file_row_number = true) AS r SEMI JOIN ` +
      `(SELECT id, seq::UBIGINT AS seq FROM read_json('${tombstonesPath}')) AS t ` +
      `ON t.id = r.id AND t.seq >= r.__miniodb_seq ORDER BY f, p`,
  );
  const positions: number[][] = dirty.map(() => []);
  const lines: string[] = [];
  for (const [f, p] of reader.getRows() as [number, number][]) {
    positions[f]!.push(p);
    lines.push(JSON.stringify({ f, p }));
  }
  writeFileSync(positionsPath, lines.join("\n") + "\n");
  return positions;
}

/** One BOOLEAN `dead` per row of `path`, in row order. */
async function writeMask(
  connection: DuckDBConnection,
  path: string,
  dead: readonly number[],
  maskPath: string,
): Promise<void> {
  const list = dead.length === 0 ? "[]::INTEGER[]" : `[${dead.join(", ")}]`;
  await connection.run(
    `COPY (SELECT list_contains(${list}, file_row_number::INTEGER) AS dead ` +
      `FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number) TO '${maskPath}' ${PARQUET}`,
  );
}
