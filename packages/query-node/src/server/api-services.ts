import type { StatusService } from "../observability/status-service.js";
import type { LifecycleApi } from "../lifecycle/lifecycle-api.js";
import type { HealthCheck } from "../services/health-check.js";
import type { MutationService } from "../services/mutation-service.js";
import type { QueryPager } from "../services/query-pager.js";
import type { QueryService } from "../services/query-service.js";
import type { TableService } from "../services/table-service.js";
import type { WriteService } from "../services/write-service.js";
import type { IngestDecoder } from "../decode/decode-thread-client.js";

/** Everything the API edge (RPC and REST) calls into. */
export interface ApiServices {
  readonly nodeId: string;
  readonly health: HealthCheck;
  readonly tables: TableService;
  readonly writes: WriteService;
  readonly queries: QueryService;
  readonly pager: QueryPager;
  readonly mutations: MutationService;
  /** GetStatus, GetMetrics and `/metrics`; absent in tests that need only part of the API. */
  readonly status?: StatusService;
  /** Most records in one request, stream message or StreamQuery batch. */
  readonly maxBatchRecords: number;
  /** Largest request body / message in bytes. */
  readonly maxRequestBytes: number;
  /** Compaction, retention, backups and restores; their RPCs are unimplemented without it. */
  readonly lifecycle?: LifecycleApi | undefined;
  /** Reads StreamWrite payloads and REST batches off the main thread (`server.decode_thread`); absent: on it. */
  readonly ingestDecoder?: IngestDecoder | undefined;
}
