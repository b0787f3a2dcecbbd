import { MiniodbError } from "@miniodb/core";

/** A write held an incarnation of the table that was deleted or recreated meanwhile. */
export function tableGone(name: string): MiniodbError {
  return new MiniodbError("not_found", `table ${name} was deleted or recreated during the write`);
}

/** The errors tableMissing made, to tell them from other failed preconditions. */
const PARKED = new WeakSet<object>();

/** A flush found its table missing from the metadata store: its rows are parked, not lost. */
export function tableMissing(name: string, rows: number): MiniodbError {
  const error = new MiniodbError(
    "failed_precondition",
    `table ${name} is missing from the metadata store: its ${rows} acknowledged unflushed rows are kept (buffer and WAL) and flushed once its metadata is restored`,
    { details: { table: name } },
  );
  PARKED.add(error);
  return error;
}

/** Whether `error` is one tableMissing made. */
export function isTableMissing(error: unknown): boolean {
  return typeof error === "object" && error !== null && PARKED.has(error);
}
