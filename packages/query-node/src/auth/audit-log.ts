import type { Logger } from "pino";
import type { ErrorCode } from "@miniodb/core";

/** One audited call: who did what to which tables, when, and how it ended. */
export interface AuditEvent {
  readonly operation: string;
  readonly keyId: string;
  readonly protocol: "rpc" | "rest";
  readonly tables: readonly string[];
  readonly startedAt: Date;
  readonly durationMs: number;
  /** `ok`, or the error code the caller received. */
  readonly outcome: "ok" | ErrorCode;
}

/** Where audit events go. */
export interface AuditLog {
  record(event: AuditEvent): void;
}

/** An AuditLog that writes one structured line per event (`"audit": true`) to a pino logger. */
export function createPinoAuditLog(logger: Logger): AuditLog {
  return {
    record(event) {
      logger.info(
        {
          audit: true,
          operation: event.operation,
          key_id: event.keyId,
          protocol: event.protocol,
          tables: event.tables,
          started_at: event.startedAt.toISOString(),
          duration_ms: Math.round(event.durationMs * 10) / 10,
          outcome: event.outcome,
        },
        "audit",
      );
    },
  };
}

/** Audit switched off. */
export const NO_AUDIT: AuditLog = { record: () => undefined };
