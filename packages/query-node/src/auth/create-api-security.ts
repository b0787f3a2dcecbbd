import { createWriteStream } from "node:fs";
import type { Interceptor } from "@connectrpc/connect";
import type { MiddlewareHandler } from "hono";
import { pino, type Logger } from "pino";
import { MiniodbError, type MetadataStore } from "@miniodb/core";
import type { Config } from "../config/config-schema.js";
import { ApiGuard } from "./api-guard.js";
import { createAuthInterceptor } from "./auth-interceptor.js";
import { createAuthMiddleware } from "./auth-middleware.js";
import { createPinoAuditLog, NO_AUDIT, type AuditLog } from "./audit-log.js";
import { RateLimiter } from "./rate-limiter.js";
import { TokenCodec } from "./token-codec.js";
import { TokenService } from "./token-service.js";

/** What the API edge needs for authentication, authorization, limits and audit. */
export interface ApiSecurity {
  /** Undefined while authentication is off (AuthService then answers unimplemented). */
  readonly tokens: TokenService | undefined;
  readonly interceptor: Interceptor;
  readonly middleware: MiddlewareHandler;
  close(): Promise<void>;
}

export interface ApiSecurityOptions {
  readonly config: Config;
  /** Whether tokens are required (see `resolveAuthEnabled`). */
  readonly authEnabled: boolean;
  readonly metadata: MetadataStore;
  readonly sqlTables: (sql: string) => Promise<readonly string[]>;
  readonly logger: Logger;
}

/** Builds the guard and its Connect and Hono adapters from the configuration. */
export async function createApiSecurity(options: ApiSecurityOptions): Promise<ApiSecurity> {
  const { config, authEnabled, metadata, sqlTables, logger } = options;
  let tokens: TokenService | undefined;
  if (authEnabled) {
    if (config.auth.api_keys.length === 0) {
      throw new MiniodbError(
        "failed_precondition",
        "auth is enabled but auth.api_keys is empty: nobody could get in",
      );
    }
    tokens = new TokenService({
      codec: await TokenCodec.create(config.auth.jwt),
      metadata,
      config: config.auth,
    });
  }
  const { audit, close } = auditSink(config, logger);
  const guard = new ApiGuard({
    tokens,
    limiter: new RateLimiter({
      ratePerSecond: config.auth.rate_limit.requests_per_second,
      burst: config.auth.rate_limit.burst,
    }),
    audit,
    sqlTables,
    defaultTable: config.tables.default_table,
    maxSqlBytes: config.limits.max_sql_bytes,
  });
  return {
    tokens,
    interceptor: createAuthInterceptor(guard),
    middleware: createAuthMiddleware(guard),
    close,
  };
}

function auditSink(config: Config, logger: Logger): { audit: AuditLog; close: () => Promise<void> } {
  const { enabled, file } = config.auth.audit;
  if (!enabled) return { audit: NO_AUDIT, close: async () => undefined };
  if (!file)
    return { audit: createPinoAuditLog(logger.child({ component: "audit" })), close: async () => undefined };
  const stream = createWriteStream(file, { flags: "a", mode: 0o600 });
  const fileLogger = pino({ base: { node_id: logger.bindings()["node_id"] } }, stream);
  return {
    audit: createPinoAuditLog(fileLogger),
    close: () => new Promise((resolve) => stream.end(() => resolve())),
  };
}
