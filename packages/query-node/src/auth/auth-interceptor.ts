import type { Interceptor } from "@connectrpc/connect";
import { MiniodbError } from "@miniodb/core";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { rpcOperation, type OperationName } from "./access-policy.js";
import type { ApiGuard } from "./api-guard.js";
import type { Principal } from "./principal.js";

const SERVICES = new Set([MinIODBService.typeName, AuthService.typeName]);

/** The fields of request messages that name tables or carry SQL (public messages and their views alike). */
interface TableFields {
  table?: unknown;
  tableName?: unknown;
  sql?: unknown;
}

/**
 * The Connect side of the ApiGuard: every RPC passes through it before its handler. Client
 * streams (StreamWrite) are checked message by message as they arrive. Audited RPCs are recorded
 * with their outcome. Register it inside the error interceptor, so its errors get their codes.
 */
export function createAuthInterceptor(guard: ApiGuard): Interceptor {
  return (next) => async (request) => {
    const operation = SERVICES.has(request.service.typeName) ? rpcOperation(request.method.name) : undefined;
    const startedAt = new Date();
    const event = {
      keyId: "unauthenticated",
      protocol: "rpc" as const,
      tables: [] as string[],
      startedAt,
      startedMs: performance.now(),
    };
    const name = `${request.service.typeName}/${request.method.name}`;
    try {
      const principal = await guard.authenticate(operation, request.header.get("authorization"));
      event.keyId = principal.keyId;
      guard.authorize(operation, principal);
      if (request.stream) {
        const messages = request.message;
        const seen = new Set<string>();
        request = {
          ...request,
          message: (async function* () {
            for await (const message of messages) {
              for (const table of await checkMessage(guard, principal, operation, message as TableFields)) {
                if (!seen.has(table)) event.tables.push(table);
                seen.add(table);
              }
              yield message;
            }
          })(),
        };
      } else {
        event.tables = await checkMessage(guard, principal, operation, request.message as TableFields);
      }
      const response = await next(request);
      guard.audit(operation, event, "ok", name);
      return response;
    } catch (error) {
      guard.audit(operation, event, MiniodbError.from(error).code, name);
      throw error;
    }
  };
}

async function checkMessage(
  guard: ApiGuard,
  principal: Principal,
  operation: OperationName | undefined,
  message: TableFields,
): Promise<string[]> {
  switch (operation) {
    case "QueryData":
    case "StreamQuery":
      return guard.checkSql(principal, typeof message.sql === "string" ? message.sql : "");
    case "WriteData":
    case "StreamWrite":
    case "UpdateData":
    case "DeleteData":
      return guard.checkTables(principal, [typeof message.table === "string" ? message.table : ""]);
    case "CreateTable":
    case "GetTable":
    case "DeleteTable":
      return guard.checkTables(principal, [typeof message.tableName === "string" ? message.tableName : ""]);
    default:
      return [];
  }
}
