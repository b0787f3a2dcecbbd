export type { Brand, NodeId, ShardId, TableName } from "./branded.js";
export type { ErrorCode, ErrorCodeInfo } from "./error-codes.js";
export { errorCodes, errorCodeTable, isErrorCode } from "./error-codes.js";
export type { MiniodbErrorOptions } from "./miniodb-error.js";
export { MiniodbError } from "./miniodb-error.js";
export { murmur3 } from "./murmur3.js";
export type { IdValidationRules } from "./record-id.js";
export { RECORD_ID_MAX_LENGTH, RECORD_ID_PATTERN, RecordIdValidator } from "./record-id.js";
export type { ShardMove, ShardRingOptions } from "./shard-ring.js";
export { DEFAULT_SHARD_COUNT, DEFAULT_VIRTUAL_NODES, ShardRing, shardOf } from "./shard-ring.js";
export { isTableName, parseTableName, TABLE_NAME_MAX_LENGTH, TABLE_NAME_PATTERN } from "./table-name.js";
export type { ByteRange, ObjectInfo, ObjectStore } from "./object-store.js";
export type { ColumnDef, ColumnType } from "./column-type.js";
export {
  checkPayloadKey,
  columnTypeOf,
  HIDDEN_COLUMN_PREFIX,
  MAX_COLUMN_NAME_LENGTH,
  RECORD_COLUMNS,
  SEQUENCE_COLUMN,
  widenColumnType,
} from "./column-type.js";
export type {
  AuthSession,
  AuthSessionRotation,
  BackupEntry,
  DataFile,
  IdempotencyEntry,
  Lease,
  Manifest,
  ManifestChange,
  LeaseFence,
  MetadataStore,
  NodeEntry,
  NodeRole,
  NodeState,
  SchemaEntry,
  TableEntry,
  Tombstone,
  WalMark,
} from "./metadata-store.js";
export type { DataFileKey } from "./object-keys.js";
export {
  dataFileKey,
  METADATA_BACKUP_PREFIX,
  metadataBackupKey,
  parseDataFileKey,
  partitionOf,
  tableDataPrefix,
} from "./object-keys.js";
export type { IdStrategy, TableConfig } from "./table-config.js";
export {
  DEFAULT_TABLE_CONFIG,
  ID_STRATEGIES,
  MAX_BUFFER_SIZE,
  MAX_FLUSH_INTERVAL_SECONDS,
  normalizeTableConfig,
} from "./table-config.js";
export { retentionCutoff } from "./retention.js";
export type { EncodedPayload, SerializedPayload } from "./serialized-payload.js";
export { PayloadSerializer, serializePayload, Utf8Payload } from "./serialized-payload.js";
export { Utf8Writer } from "./utf8-writer.js";
export type { TableSchema } from "./table-schema.js";
export { EMPTY_SCHEMA, SchemaEvolution } from "./table-schema.js";
export { COUNTER_BITS, HybridClock, sequenceMillis } from "./hybrid-clock.js";
export { checkTimestampMicros, formatTimestampMicros, parseTimestampMicros } from "./timestamp.js";
export type { MetadataKey, TablePart } from "./metadata-keys.js";
export { metadataKeys, parseMetadataKey, tableKeyPattern } from "./metadata-keys.js";
