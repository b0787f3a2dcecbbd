import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** A fresh directory under the system temp directory, with symlinks resolved. */
export function makeWorkDirectory(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), "miniodb-parquet-")));
}

/** A buffered row as the worker writes it: record columns, then payload keys. */
export function rowLine(id: string, timestamp: number, sequence: bigint, payload: object = {}): string {
  return JSON.stringify({ id, timestamp, __miniodb_seq: sequence.toString(), ...payload });
}

/** Writes NDJSON lines (each already JSON text) to `dir/name` and returns the path. */
export function writeLines(dir: string, name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => `${line}\n`).join(""));
  return path;
}

/** Runs one statement on a plain, unsandboxed DuckDB (file metadata, generating inputs). */
export async function queryDuckDb(sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
