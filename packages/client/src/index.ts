export type { ApiKeyCredentials, ApiKeyTokenSourceOptions } from "./api-key-token-source.js";
export { ApiKeyTokenSource } from "./api-key-token-source.js";
export type { TokenProvider } from "./bearer-token-interceptor.js";
export { bearerTokenInterceptor } from "./bearer-token-interceptor.js";
export type {
  MiniodbClient,
  MiniodbClientOptions,
  MiniodbProtocol,
  TableConfigInput,
} from "./create-miniodb-client.js";
export { createMiniodbClient } from "./create-miniodb-client.js";
export type { QueryRow, QueryRowsOptions } from "./query-rows.js";
export { DEFAULT_QUERY_PAGE_SIZE, queryRows } from "./query-rows.js";
export type { MiniodbRecord, RecordInput } from "./record-input.js";
export { fromDataRecord, toDataRecord } from "./record-input.js";
export type { StreamRecordsOptions } from "./stream-records.js";
export { streamRecords } from "./stream-records.js";
export type { WriteRecordsOptions, WriteRecordsResult } from "./write-records.js";
export { DEFAULT_WRITE_BATCH_SIZE, writeRecords } from "./write-records.js";
