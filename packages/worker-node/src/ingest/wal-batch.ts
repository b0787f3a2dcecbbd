import { MiniodbError } from "@miniodb/core";

/**
 * One WAL entry: the rows of one write to one table, as they will be buffered.
 *
 *     <table>\t<table created-at, epoch ms>\t<partition of each row, comma-separated>\n<row line>\n<row line>…
 *
 * The table's creation time identifies its incarnation: rows logged for a table that was since
 * deleted (or deleted and created again) are skipped on replay instead of resurrecting.
 */
export interface WalBatch {
  readonly table: string;
  readonly tableCreatedAtMs: number;
  readonly partitions: readonly string[];
  readonly lines: readonly string[];
}

export function encodeWalBatch(batch: WalBatch): Buffer {
  const header = `${batch.table}\t${batch.tableCreatedAtMs}\t${batch.partitions.join(",")}`;
  return Buffer.from(`${header}\n${batch.lines.join("\n")}`, "utf8");
}

export function decodeWalBatch(payload: Buffer): WalBatch {
  const text = payload.toString("utf8");
  const newline = text.indexOf("\n");
  const [table, createdAt, partitions] = (newline < 0 ? text : text.slice(0, newline)).split("\t");
  const lines = newline < 0 ? [] : text.slice(newline + 1).split("\n");
  const partitionList = partitions ? partitions.split(",") : [];
  if (!table || !createdAt || partitionList.length !== lines.length) {
    throw new MiniodbError("data_loss", "malformed WAL batch");
  }
  return { table, tableCreatedAtMs: Number(createdAt), partitions: partitionList, lines };
}
