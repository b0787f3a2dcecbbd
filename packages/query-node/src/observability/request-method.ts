import { MinIODBService } from "@miniodb/proto";

/** RPC method name → the short name metrics and logs use (the original's `method` label). */
const RPC_METHODS: Readonly<Record<string, string>> = {
  WriteData: "write",
  QueryData: "query",
  UpdateData: "update",
  DeleteData: "delete",
  StreamWrite: "stream_write",
  StreamQuery: "stream_query",
};

/** REST routes (method + path) → the same short names. */
const REST_METHODS: ReadonlyArray<readonly [string, RegExp, string]> = [
  ["POST", /^\/v1\/data\/?$/, "write"],
  ["POST", /^\/v1\/data\/batch\/?$/, "write"],
  ["PUT", /^\/v1\/data\/?$/, "update"],
  ["DELETE", /^\/v1\/data\/?$/, "delete"],
  ["POST", /^\/v1\/data\/restore\/?$/, "restore_data"],
  ["POST", /^\/v1\/query\/?$/, "query"],
  ["POST", /^\/v1\/tables\/?$/, "create_table"],
  ["GET", /^\/v1\/tables\/?$/, "list_tables"],
  ["GET", /^\/v1\/tables\/[^/]+\/?$/, "get_table"],
  ["DELETE", /^\/v1\/tables\/[^/]+\/?$/, "delete_table"],
  ["GET", /^\/v1\/health(\/.*)?$/, "health"],
  ["GET", /^\/v1\/status\/?$/, "status"],
  ["GET", /^\/v1\/metrics\/?$/, "metrics"],
  ["GET", /^\/metrics\/?$/, "prometheus"],
];

const SERVICE_PREFIX = `/${MinIODBService.typeName}/`;

/** The short name of each MinIODBService method, by the method's name in the path. */
const RPC_NAMES: ReadonlyMap<string, string> = new Map(
  Object.values(MinIODBService.method).map((method) => [
    method.name,
    RPC_METHODS[method.name] ?? snakeCase(method.name),
  ]),
);

/**
 * The operation a request asks for, from its HTTP method and path: `write`, `query`, `update`,
 * `delete`, `stream_write`, `stream_query`, other RPCs in snake case (`create_table`,
 * `health_check`), `other` for anything unknown (bounded, so a scanner cannot blow up the label).
 */
export function requestMethod(httpMethod: string | undefined, url: string | undefined): string {
  const query = url === undefined ? -1 : url.indexOf("?");
  const path = url === undefined ? "/" : query < 0 ? url : url.slice(0, query);
  if (path.startsWith(SERVICE_PREFIX)) return RPC_NAMES.get(path.slice(SERVICE_PREFIX.length)) ?? "other";
  if (path.startsWith("/miniodb.")) return path.includes("AuthService") ? "auth" : "other";
  for (const [verb, pattern, name] of REST_METHODS)
    if (verb === httpMethod && pattern.test(path)) return name;
  return "other";
}

function snakeCase(name: string): string {
  return name.replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}
