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

/**
 * An AuditLog that writes one structured line per event (`"audit": true`) to a pino logger.
 *
 * The lines skip the logger's redaction: an audit event holds only the fields below (operation,
 * key id, table names, times, outcome), never a secret, and pino's wildcard redaction paths took
 * far longer than everything else a small write does (≈ 0.4–0.8 ms per line on this machine).
 */
export function createPinoAuditLog(logger: Logger): AuditLog {
  const audit = logger.child({}, { redact: [] });
  return {
    record(event) {
      audit.info(
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
