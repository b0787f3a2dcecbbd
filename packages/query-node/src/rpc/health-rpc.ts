import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { HealthCheckResponseSchema, type HealthCheckResponse } from "@miniodb/proto";
import type { HealthCheck } from "../services/health-check.js";

/** MinIODBService.HealthCheck. Public: needs no token. */
export function createHealthCheckRpc(health: HealthCheck): () => Promise<HealthCheckResponse> {
  return async () => {
    const report = await health();
    return create(HealthCheckResponseSchema, {
      status: report.status,
      version: report.version,
      timestamp: timestampFromDate(report.timestamp),
      details: { ...report.details },
    });
  };
}
