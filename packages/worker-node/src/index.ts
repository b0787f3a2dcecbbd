export type { DecodedWal, WalTail } from "./wal/wal-frame.js";
export {
  decodeWalSegment,
  encodeWalFrame,
  FRAME_HEADER_BYTES,
  MAX_FRAME_PAYLOAD_BYTES,
  WAL_MAGIC,
} from "./wal/wal-frame.js";
export type {
  WalEntry,
  WalGroupCommit,
  WriteAheadLogOptions,
  WriteAheadLogStats,
} from "./wal/write-ahead-log.js";
export { DEFAULT_SEGMENT_BYTES, WriteAheadLog } from "./wal/write-ahead-log.js";
export { rowsOutsideManifest } from "./buffer/buffer-view.js";
export type { BufferedRows, BufferSnapshot, FlushProgress } from "./buffer/table-buffer.js";
export { TableBuffer } from "./buffer/table-buffer.js";
export type { FlusherOptions, FlushOutcome } from "./flush/flusher.js";
export type { ParquetWriter } from "./flush/parquet-writer-port.js";
export { createIdGenerator } from "./ingest/id-generator.js";
export { decodeWriteResult, encodeWriteResult } from "./ingest/idempotency-guard.js";
export type { PreparedRecord, RecordInput } from "./ingest/record-preparer.js";
export { RecordPreparer } from "./ingest/record-preparer.js";
export type { BlockRow, RowBlockLines } from "./ingest/row-block.js";
export { decodeRowBlock, encodeRowBlock, rowBlockOfLines, RowBlockLinesWriter } from "./ingest/row-block.js";
export { SEQUENCE_COLUMN } from "./ingest/row-line.js";
export type { RecordError, WriteResult } from "./ingest/write-result.js";
export { Worker } from "./worker.js";
export type {
  FlushReport,
  ParkedTableStats,
  TableBufferStats,
  WorkerOptions,
  WorkerWal,
  WriteOptions,
} from "./worker-types.js";
export type { CompactionBin, CompactionPolicy } from "./compaction/compaction-plan.js";
export { planCompaction } from "./compaction/compaction-plan.js";
export type {
  CompactionOutcome,
  CompactionProgress,
  CompactOptions,
  TableCompactorOptions,
} from "./compaction/table-compactor.js";
export { TableCompactor } from "./compaction/table-compactor.js";
export type { CapturedBuffer, UnflushedRowSource } from "./compaction/unflushed-rows.js";
export { localUnflushedRows } from "./compaction/unflushed-rows.js";
export type { CapturedPart, BufferCapturesOptions } from "./server/buffer-captures.js";
export { BufferCaptures } from "./server/buffer-captures.js";
export { TableLookup } from "./server/table-lookup.js";
export type { ShardOwnership } from "./server/write-admission.js";
export { WriteAdmission } from "./server/write-admission.js";
export type { WorkerServiceDeps } from "./server/worker-service.js";
export { createWorkerService } from "./server/worker-service.js";
export type {
  WorkerHandlerOptions,
  WorkerRequestHandler,
  WorkerServerOptions,
} from "./server/worker-server.js";
export { createWorkerHandler, WorkerServer } from "./server/worker-server.js";
export { ERROR_CODE_HEADER, ERROR_REASON_HEADER, toWorkerConnectError } from "./server/worker-rpc-errors.js";
export { interceptErrors } from "./server/intercept-errors.js";
export type { FragmentCounters, FragmentExecutorOptions } from "./query/fragment-executor.js";
export { FragmentExecutor } from "./query/fragment-executor.js";
