import type { HealthCheck } from "../services/health-check.js";
import type { TableService } from "../services/table-service.js";
import type { WriteService } from "../services/write-service.js";

/** Everything the API edge (RPC and REST) calls into. */
export interface ApiServices {
  readonly nodeId: string;
  readonly health: HealthCheck;
  readonly tables: TableService;
  readonly writes: WriteService;
  /** Largest request body / message in bytes. */
  readonly maxRequestBytes: number;
}
