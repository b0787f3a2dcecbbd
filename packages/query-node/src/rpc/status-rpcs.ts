import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { GetMetricsResponseSchema, GetStatusResponseSchema, NodeInfoSchema } from "@miniodb/proto";
import type { StatusService } from "../observability/status-service.js";

const int64Map = (values: Record<string, number>) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, BigInt(Math.round(value))]));

/**
 * GetStatus and GetMetrics of MinIODBService: the wire maps of the API (int64 counts, double
 * rates). The REST routes add the component details the maps cannot carry.
 */
export function createStatusRpcs(status: StatusService) {
  return {
    async getStatus() {
      const report = await status.status();
      return create(GetStatusResponseSchema, {
        timestamp: timestampFromDate(report.timestamp),
        bufferStats: int64Map(report.buffer_stats),
        redisStats: int64Map(report.redis_stats),
        minioStats: int64Map(report.minio_stats),
        nodes: report.nodes.map((node) =>
          create(NodeInfoSchema, {
            id: node.id,
            status: node.status,
            type: node.type,
            address: node.address,
            lastSeen: BigInt(node.last_seen),
          }),
        ),
        totalNodes: report.total_nodes,
      });
    },
    async getMetrics() {
      const report = await status.metrics();
      return create(GetMetricsResponseSchema, {
        timestamp: timestampFromDate(report.timestamp),
        performanceMetrics: report.performance_metrics,
        resourceUsage: int64Map(report.resource_usage),
        systemInfo: report.system_info,
      });
    },
  };
}
