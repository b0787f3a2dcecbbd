import { MiniodbError } from "@miniodb/core";

/**
 * One WAL entry: the rows of one write to one table, as they will be buffered.
 *
 *     {"table":…,"createdAt":<ms>,"idempotency":{…}?}\n<row line>\n<row line>…
 *
 * The table's creation time identifies its incarnation: rows logged for a table that was since
 * deleted (or deleted and created again) are skipped on replay instead of resurrecting. A write
 * carrying an idempotency key logs its key and result with its rows, so a crash between the ack
 * and storing the key cannot let a retry apply the write twice.
 *
 * `DeleteTable` logs an entry with `"dropped":true` and no rows: on replay it discards the rows
 * logged before it for that incarnation, which are otherwise kept (parked) when the metadata store
 * does not know the table, since a wiped metadata store must not lose acknowledged rows.
 *
 * Entries written before this layout also held `"partitions":[…]`, each row's day partition.
 * Replay derives partitions from the rows' timestamps (the same answer), so such entries still
 * replay; the list is only checked against the number of rows.
 */
export interface WalBatch {
  readonly table: string;
  readonly tableCreatedAtMs: number;
  readonly lines: readonly string[];
  /** A drop marker: the incarnation was deleted (no rows). */
  readonly dropped?: boolean;
  readonly idempotency?: { readonly key: string; readonly response: string; readonly expiresAtMs: number };
}

interface WalBatchHeader {
  table: string;
  createdAt: number;
  /** Only in entries of the earlier layout. */
  partitions?: string[];
  dropped?: true;
  idempotency?: WalBatch["idempotency"];
}

export function encodeWalBatch(batch: WalBatch): Buffer {
  const head = walBatchHead(batch);
  if (batch.lines.length === 0) return Buffer.from(head, "utf8");
  return Buffer.from(`${head}\n${batch.lines.join("\n")}`, "utf8");
}

/** The first line of an entry: everything but its rows. */
export function walBatchHead(batch: Omit<WalBatch, "lines">): string {
  const header: WalBatchHeader = {
    table: batch.table,
    createdAt: batch.tableCreatedAtMs,
    ...(batch.dropped ? { dropped: true as const } : {}),
    ...(batch.idempotency ? { idempotency: batch.idempotency } : {}),
  };
  return JSON.stringify(header);
}

export function decodeWalBatch(payload: Buffer): WalBatch {
  const text = payload.toString("utf8");
  const newline = text.indexOf("\n");
  let header: WalBatchHeader;
  try {
    header = JSON.parse(newline < 0 ? text : text.slice(0, newline)) as WalBatchHeader;
  } catch (error) {
    throw new MiniodbError("data_loss", "malformed WAL batch header", { cause: error });
  }
  const lines = newline < 0 ? [] : text.slice(newline + 1).split("\n");
  const { partitions } = header;
  if (
    typeof header.table !== "string" ||
    (partitions !== undefined && (!Array.isArray(partitions) || partitions.length !== lines.length))
  ) {
    throw new MiniodbError("data_loss", "malformed WAL batch");
  }
  return {
    table: header.table,
    tableCreatedAtMs: header.createdAt,
    lines,
    ...(header.dropped === true ? { dropped: true } : {}),
    ...(header.idempotency ? { idempotency: header.idempotency } : {}),
  };
}
