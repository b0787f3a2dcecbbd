import type { DeleteScanData } from "./delete-scan-data.js";

/**
 * The ways of reading the live rows of the delete-scan data that the benchmark compares, each as
 * the body of a view with the columns a table's view shows (`id`, `timestamp`, payload; no
 * sequence). `setup` statements run once, before the views are created.
 */
export interface ScanOption {
  readonly name: string;
  readonly setup: readonly string[];
  readonly view: string;
}

const SEQUENCE = "__miniodb_seq";
const list = (paths: readonly string[]) => `[${paths.map((path) => `'${path}'`).join(", ")}]`;
const tombstonesJson = (path: string) =>
  `SELECT id, CAST(seq AS UBIGINT) AS seq FROM read_json('${path}', format = 'newline_delimited', ` +
  `records = true, auto_detect = false, columns = {'id': 'VARCHAR', 'seq': 'VARCHAR'})`;
const positionsJson = (path: string) =>
  `SELECT f, p FROM read_json('${path}', format = 'newline_delimited', records = true, ` +
  `auto_detect = false, columns = {'f': 'UBIGINT', 'p': 'BIGINT'})`;

/** The id anti-join of today's view over `dirty`, with the tombstones read by `tombstones`. */
function idAntiJoin(dirty: readonly string[], tombstones: string): string {
  return (
    `SELECT r.* EXCLUDE (${SEQUENCE}) FROM read_parquet(${list(dirty)}) AS r ` +
    `ANTI JOIN (${tombstones}) AS t ON t.id = r.id AND t.seq >= r.${SEQUENCE}`
  );
}

/** The data files' dead positions anti-joined on the `file_index` virtual column and the row number. */
function positionAntiJoin(data: DeleteScanData, positions: string): string {
  return (
    `SELECT r.* EXCLUDE (${SEQUENCE}, file_row_number) FROM read_parquet(${list(data.dirty)}, ` +
    `file_row_number = true) AS r ANTI JOIN (${positions}) AS d ON d.f = r.file_index AND d.p = r.file_row_number`
  );
}

/**
 * The dirty files read beside their masks row by row, in `groups` runs of consecutive files: one
 * positional join per group (a positional scan runs on one thread, which reads the files of a
 * list in order, so rows and mask rows line up), the groups' selects in UNION ALL.
 */
function maskJoin(data: DeleteScanData, groups: number): string {
  const size = Math.ceil(data.dirty.length / groups);
  const selects: string[] = [];
  for (let first = 0; first < data.dirty.length; first += size)
    selects.push(
      `SELECT r.* EXCLUDE (${SEQUENCE}) FROM read_parquet(${list(data.dirty.slice(first, first + size))}) AS r ` +
        `POSITIONAL JOIN read_parquet(${list(data.masks.slice(first, first + size))}) AS m WHERE NOT m.dead`,
    );
  return selects.join(" UNION ALL ");
}

/** The bitstring of one file's dead rows ('1' at each dead row number), as a literal. */
function deadBits(data: DeleteScanData, rowsPerFile: readonly number[], k: number): string {
  const bits = new Uint8Array(rowsPerFile[k]!).fill(48);
  for (const position of data.deadPositions[k]!) bits[position] = 49;
  return `'${Buffer.from(bits).toString("latin1")}'::BIT`;
}

/** Each dirty file with a per-row test of its row number against a literal bitstring of dead rows. */
function bitstringFilter(data: DeleteScanData, rowsPerFile: readonly number[]): string {
  return data.dirty
    .map(
      (path, k) =>
        `SELECT * EXCLUDE (${SEQUENCE}, file_row_number) FROM read_parquet('${path}', file_row_number = true) ` +
        `WHERE get_bit(${deadBits(data, rowsPerFile, k)}, file_row_number::INTEGER) = 0`,
    )
    .join(" UNION ALL ");
}

/** Each dirty file with `NOT IN` its dead row numbers. */
function notInFilter(data: DeleteScanData): string {
  return data.dirty
    .map(
      (path, k) =>
        `SELECT * EXCLUDE (${SEQUENCE}, file_row_number) FROM read_parquet('${path}', file_row_number = true) ` +
        `WHERE file_row_number NOT IN (SELECT unnest([${data.deadPositions[k]!.join(", ")}]::BIGINT[]))`,
    )
    .join(" UNION ALL ");
}

/** Creates `table` from the files and deletes the rows the tombstones hide. */
function nativeTable(table: string, files: readonly string[], data: DeleteScanData): string[] {
  return [
    `CREATE TABLE ${table} AS SELECT * FROM read_parquet(${list(files)})`,
    `DELETE FROM ${table} AS r USING (${tombstonesJson(data.tombstonesPath)}) AS t ` +
      `WHERE t.id = r.id AND t.seq >= r.${SEQUENCE}`,
  ];
}

const nativeRows = (table: string) => `SELECT * EXCLUDE (${SEQUENCE}) FROM ${table}`;

export function scanOptions(data: DeleteScanData, rowsPerFile: readonly number[]): ScanOption[] {
  const updates = `SELECT * EXCLUDE (${SEQUENCE}) FROM read_parquet('${data.updates}')`;
  const withUpdates = (dirty: string) => `${updates} UNION ALL ${dirty}`;
  return [
    {
      name: "no updates",
      setup: [],
      view: `SELECT * EXCLUDE (${SEQUENCE}) FROM read_parquet(${list(data.dirty)})`,
    },
    // Today: the file of new versions is touched too (its lowest sequence is below the tombstones').
    {
      name: "id anti-join",
      setup: [],
      view: idAntiJoin([...data.dirty, data.updates], tombstonesJson(data.tombstonesPath)),
    },
    {
      name: "id, temp table",
      setup: [`CREATE TEMP TABLE tombstones AS ${tombstonesJson(data.tombstonesPath)}`],
      view: idAntiJoin([...data.dirty, data.updates], "SELECT id, seq FROM tombstones"),
    },
    {
      name: "by file index",
      setup: [],
      view: withUpdates(positionAntiJoin(data, positionsJson(data.positionsPath))),
    },
    {
      name: "file index, temp table",
      setup: [`CREATE TEMP TABLE positions AS ${positionsJson(data.positionsPath)}`],
      view: withUpdates(positionAntiJoin(data, "SELECT f, p FROM positions")),
    },
    { name: "mask join", setup: [], view: withUpdates(maskJoin(data, data.dirty.length)) },
    { name: "mask join, 2 groups", setup: [], view: withUpdates(maskJoin(data, 2)) },
    { name: "mask join, 1 group", setup: [], view: withUpdates(maskJoin(data, 1)) },
    { name: "bitstring", setup: [], view: withUpdates(bitstringFilter(data, rowsPerFile)) },
    { name: "not in", setup: [], view: withUpdates(notInFilter(data)) },
    // What the node's live-row tables do: the dirty files' rows copied into a DuckDB table, the
    // dead ones deleted there (one table, and one per file).
    {
      name: "native table",
      setup: nativeTable("dirty_native", data.dirty, data),
      view: withUpdates(nativeRows("dirty_native")),
    },
    {
      name: "native per file",
      setup: data.dirty.flatMap((path, k) => nativeTable(`dirty_native_${k}`, [path], data)),
      view: withUpdates(data.dirty.map((_, k) => nativeRows(`dirty_native_${k}`)).join(" UNION ALL ")),
    },
  ];
}
