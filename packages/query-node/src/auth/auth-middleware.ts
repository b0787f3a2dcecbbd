import type { Context, MiddlewareHandler } from "hono";
import { errorCodeTable, MiniodbError, type ErrorCode } from "@miniodb/core";
import { restOperation, type OperationName } from "./access-policy.js";
import type { ApiGuard } from "./api-guard.js";
import type { Principal } from "./principal.js";

/** Error codes by HTTP status, to name the outcome of a REST call in the audit log. */
const CODE_BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(errorCodeTable) as Array<[ErrorCode, { httpStatus: number }]>)
    .reverse()
    .map(([code, info]) => [info.httpStatus, code]),
);

/**
 * The REST side of the ApiGuard, as Hono middleware: maps the route to its operation,
 * authenticates and authorises, checks the tables the request names (body, path or SQL) against the
 * key's allow-list, and records audited calls with their outcome. The body it reads stays cached
 * for the route handler.
 */
export function createAuthMiddleware(guard: ApiGuard): MiddlewareHandler {
  return async (context, next) => {
    const operation = restOperation(context.req.method, context.req.path);
    const startedAt = new Date();
    const event = {
      keyId: "unauthenticated",
      protocol: "rest" as const,
      tables: [] as string[],
      startedAt,
      startedMs: performance.now(),
    };
    const name = `${context.req.method} ${context.req.path}`;
    try {
      const principal = await guard.authenticate(operation, context.req.header("authorization"));
      event.keyId = principal.keyId;
      guard.authorize(operation, principal);
      event.tables = await checkRequest(guard, principal, operation, context);
    } catch (error) {
      const miniodb = MiniodbError.from(error);
      guard.audit(operation, event, miniodb.code, name);
      if (miniodb.code === "unauthenticated") context.header("WWW-Authenticate", 'Bearer realm="miniodb"');
      throw error;
    }
    await next();
    const status = context.res.status;
    guard.audit(operation, event, status < 400 ? "ok" : (CODE_BY_STATUS.get(status) ?? "internal"), name);
  };
}

/** The tables a REST request names, checked against the allow-list (and SQL length for queries). */
async function checkRequest(
  guard: ApiGuard,
  principal: Principal,
  operation: OperationName | undefined,
  context: Context,
): Promise<string[]> {
  switch (operation) {
    case "QueryData": {
      const sql = field(await jsonBody(context), "sql");
      return guard.checkSql(principal, sql ?? "");
    }
    case "WriteData":
    case "UpdateData":
    case "DeleteData":
    case "RestoreDeleted":
    case "RestoreData":
    case "StreamWrite": {
      // Without an allow-list the table only goes to the audit log: large bodies are not parsed twice.
      const ndjson = context.req.header("content-type")?.includes("ndjson") ?? false;
      const body = ndjson || (!principal.tables && !smallBody(context)) ? undefined : await jsonBody(context);
      const table = field(body, "table") ?? context.req.query("table") ?? "";
      return guard.checkTables(principal, [table]);
    }
    case "CreateTable": {
      const body = await jsonBody(context);
      const names = [field(body, "table_name"), field(body, "tableName")].filter(
        (name) => name !== undefined,
      );
      return guard.checkTables(principal, names.length > 0 ? names : [""]);
    }
    case "GetTable":
    case "DeleteTable":
      return guard.checkTables(principal, [lastPathSegment(context.req.path)]);
    default:
      return [];
  }
}

/** Bodies up to this size are parsed for the audit log's table names even without an allow-list. */
const AUDIT_PARSE_BYTES = 64 * 1024;

function smallBody(context: Context): boolean {
  const length = Number(context.req.header("content-length"));
  return Number.isFinite(length) && length <= AUDIT_PARSE_BYTES;
}

/** The JSON body if it is one (the route handler reports malformed bodies itself). */
async function jsonBody(context: Context): Promise<unknown> {
  try {
    return JSON.parse(await context.req.text()) as unknown;
  } catch {
    return undefined;
  }
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

function lastPathSegment(path: string): string {
  const segment = path.split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MiniodbError("invalid_argument", "the path is not valid percent-encoding");
  }
}
