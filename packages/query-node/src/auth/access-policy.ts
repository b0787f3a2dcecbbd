import type { Role } from "./auth-config.js";

/** Who may call an operation: anyone (`public`), or a token whose role is at least this one. */
export type AccessLevel = "public" | Role;

export interface OperationPolicy {
  readonly access: AccessLevel;
  /** Logged to the audit log with key id, time and outcome. */
  readonly audit: boolean;
}

/**
 * THE authorization table: every operation of the API, by name, with the role it needs. RPCs map
 * here by method name, REST routes through `REST_ROUTES`. Roles are ordered reader < writer <
 * admin; each includes the ones before it.
 *
 * Anything not listed — an RPC or a REST route added later — is treated as `UNLISTED`: admin only,
 * and audited when it is not a GET. To open a new endpoint to other roles, add its operation here
 * (and its REST route below). See docs/security.md.
 */
export const OPERATIONS = {
  // Public: health, metrics scraping, and the token endpoints (their credential is in the body).
  HealthCheck: { access: "public", audit: false },
  PrometheusMetrics: { access: "public", audit: false },
  GetToken: { access: "public", audit: false },
  RefreshToken: { access: "public", audit: false },
  RevokeToken: { access: "public", audit: false },
  // Reader: queries, table listings, status.
  QueryData: { access: "reader", audit: false },
  StreamQuery: { access: "reader", audit: false },
  ListTables: { access: "reader", audit: false },
  GetTable: { access: "reader", audit: false },
  GetStatus: { access: "reader", audit: false },
  GetMetrics: { access: "reader", audit: false },
  GetMetadataStatus: { access: "reader", audit: false },
  // Writer: records in, changed and out.
  WriteData: { access: "writer", audit: true },
  StreamWrite: { access: "writer", audit: true },
  UpdateData: { access: "writer", audit: true },
  DeleteData: { access: "writer", audit: true },
  /** `POST /v1/data/restore`: brings soft-deleted records back. */
  RestoreDeleted: { access: "writer", audit: true },
  // Admin: tables, metadata backups, and restoring data from the backup pool.
  CreateTable: { access: "admin", audit: true },
  DeleteTable: { access: "admin", audit: true },
  BackupMetadata: { access: "admin", audit: true },
  RestoreMetadata: { access: "admin", audit: true },
  ListBackups: { access: "admin", audit: false },
  RestoreData: { access: "admin", audit: true },
  CompactTable: { access: "admin", audit: true },
  RepairPrimary: { access: "admin", audit: true },
  GetJob: { access: "admin", audit: false },
} as const satisfies Record<string, OperationPolicy>;

export type OperationName = keyof typeof OPERATIONS;

/** The policy of anything the table does not list. */
export const UNLISTED: OperationPolicy = { access: "admin", audit: true };

/**
 * REST routes by method and path (`:name` matches one segment, a trailing `*` any rest), each
 * mapped to its operation. First match wins.
 */
export const REST_ROUTES: ReadonlyArray<readonly [method: string, path: string, operation: OperationName]> = [
  ["GET", "/v1/health", "HealthCheck"],
  ["GET", "/v1/health/*", "HealthCheck"],
  ["GET", "/metrics", "PrometheusMetrics"],
  ["POST", "/v1/auth/token", "GetToken"],
  ["POST", "/v1/auth/refresh", "RefreshToken"],
  ["DELETE", "/v1/auth/token", "RevokeToken"],
  ["POST", "/v1/query", "QueryData"],
  ["GET", "/v1/tables", "ListTables"],
  ["GET", "/v1/tables/:name", "GetTable"],
  ["GET", "/v1/status", "GetStatus"],
  ["GET", "/v1/metrics", "GetMetrics"],
  ["GET", "/v1/metadata/status", "GetMetadataStatus"],
  ["POST", "/v1/data", "WriteData"],
  ["POST", "/v1/data/batch", "StreamWrite"],
  ["PUT", "/v1/data", "UpdateData"],
  ["DELETE", "/v1/data", "DeleteData"],
  ["POST", "/v1/data/restore", "RestoreDeleted"],
  ["POST", "/v1/restore/data", "RestoreData"],
  ["POST", "/v1/compaction", "CompactTable"],
  ["POST", "/v1/storage/repair", "RepairPrimary"],
  ["GET", "/v1/jobs", "GetJob"],
  ["GET", "/v1/jobs/:name", "GetJob"],
  ["POST", "/v1/tables", "CreateTable"],
  ["DELETE", "/v1/tables/:name", "DeleteTable"],
  ["POST", "/v1/metadata/backup", "BackupMetadata"],
  ["POST", "/v1/metadata/restore", "RestoreMetadata"],
  ["GET", "/v1/metadata/backups", "ListBackups"],
];

const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2 };

/** Whether `role` may do what `access` requires. */
export function roleAllows(role: Role, access: AccessLevel): boolean {
  return access === "public" || RANK[role] >= RANK[access];
}

/** The operation of an RPC (by method name), or undefined when it is unlisted. */
export function rpcOperation(methodName: string): OperationName | undefined {
  return Object.hasOwn(OPERATIONS, methodName) ? (methodName as OperationName) : undefined;
}

/** The operation a REST request maps to, or undefined when no route matches. */
export function restOperation(method: string, path: string): OperationName | undefined {
  const segments = splitPath(path);
  const verb = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  for (const [routeMethod, routePath, operation] of REST_ROUTES) {
    if (routeMethod === verb && pathMatches(splitPath(routePath), segments)) return operation;
  }
  return undefined;
}

/** The policy of a known operation, or UNLISTED. */
export function policyOf(operation: OperationName | undefined): OperationPolicy {
  return operation === undefined ? UNLISTED : OPERATIONS[operation];
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

function pathMatches(pattern: readonly string[], segments: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!;
    if (part === "*") return segments.length > i;
    const segment = segments[i];
    if (segment === undefined || (part.startsWith(":") ? segment.length === 0 : part !== segment))
      return false;
  }
  return segments.length === pattern.length;
}
