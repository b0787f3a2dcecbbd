import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  AuthService,
  MinIODBService,
  type CreateTableResponse,
  type DeleteTableResponse,
  type TableConfigSchema,
  type TableInfo,
  type WriteDataResponse,
} from "@miniodb/proto";
import { ApiKeyTokenSource, type ApiKeyCredentials } from "./api-key-token-source.js";
import { bearerTokenInterceptor, type TokenProvider } from "./bearer-token-interceptor.js";
import { queryRows, type QueryRow, type QueryRowsOptions } from "./query-rows.js";
import { toDataRecord, type MiniodbRecord, type RecordInput } from "./record-input.js";
import { streamRecords, type StreamRecordsOptions } from "./stream-records.js";
import { writeRecords, type WriteRecordsOptions, type WriteRecordsResult } from "./write-records.js";

/** How the client talks to the server. Every MinIODB port answers all three. */
export type MiniodbProtocol = "grpc" | "connect" | "grpc-web";

export interface MiniodbClientOptions {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** Default "grpc" (HTTP/2, binary). "connect" and "grpc-web" also work over HTTP/1.1. */
  readonly protocol?: MiniodbProtocol;
  /** "2" (default for grpc) or "1.1" (default otherwise). gRPC always uses HTTP/2. */
  readonly httpVersion?: "1.1" | "2";
  /** Bearer token, or a function that returns the current one (called per request). */
  readonly token?: string | (() => string | Promise<string>);
  /** An API key pair: exchanged for tokens with AuthService.GetToken and refreshed before expiry. */
  readonly credentials?: ApiKeyCredentials;
  /** With `credentials`: renew this long before expiry (default 60 s, at most a quarter of the lifetime). */
  readonly refreshMarginSeconds?: number;
  /** Per-call timeout in milliseconds; none by default. */
  readonly timeoutMs?: number;
  /** PEM certificate(s) to trust for an `https://` server, e.g. a private CA; default: the system's. */
  readonly caCertificate?: string | Buffer;
  /** Extra interceptors, run after the token interceptor. */
  readonly interceptors?: readonly Interceptor[];
}

/** Table settings for `createTable`: any subset of `TableConfig`; zero fields take server defaults. */
export type TableConfigInput = MessageInitShape<typeof TableConfigSchema>;

export interface MiniodbClient {
  /** Data, table, metadata and monitoring RPCs, as generated. */
  readonly db: Client<typeof MinIODBService>;
  /** Token issue, refresh and revocation, as generated. */
  readonly auth: Client<typeof AuthService>;
  readonly transport: Transport;
  /** Writes one record with WriteData. */
  writeRecord(
    table: string,
    record: RecordInput,
    options?: { signal?: AbortSignal },
  ): Promise<WriteDataResponse>;
  /** Writes any number of records over one StreamWrite, in batches, pulling the source lazily. */
  writeRecords(
    table: string,
    records: Iterable<RecordInput> | AsyncIterable<RecordInput>,
    options?: WriteRecordsOptions,
  ): Promise<WriteRecordsResult>;
  /** Every row of `sql`, paging through QueryData cursors. */
  query(sql: string, options?: QueryRowsOptions): AsyncGenerator<QueryRow, void, undefined>;
  /** Every row of `sql` as a record, streamed by StreamQuery. */
  streamQuery(sql: string, options?: StreamRecordsOptions): AsyncGenerator<MiniodbRecord, void, undefined>;
  createTable(
    name: string,
    config?: TableConfigInput,
    options?: { ifNotExists?: boolean },
  ): Promise<CreateTableResponse>;
  listTables(pattern?: string): Promise<TableInfo[]>;
  getTable(name: string): Promise<TableInfo>;
  deleteTable(
    name: string,
    options?: { ifExists?: boolean; cascade?: boolean },
  ): Promise<DeleteTableResponse>;
  /** With `credentials`: revokes the current session on the server. */
  signOut(): Promise<void>;
}

/** Creates a typed client for a MinIODB server. */
export function createMiniodbClient(options: MiniodbClientOptions): MiniodbClient {
  if (options.token && options.credentials) throw new TypeError("pass either token or credentials, not both");
  const tokenSource = options.credentials
    ? new ApiKeyTokenSource(createClient(AuthService, createTransport(options, [])), options.credentials, {
        refreshMarginSeconds: options.refreshMarginSeconds,
      })
    : undefined;
  const provider = tokenSource ?? staticTokenProvider(options.token);
  const interceptors = [
    ...(provider ? [bearerTokenInterceptor(provider)] : []),
    ...(options.interceptors ?? []),
  ];
  const transport = createTransport(options, interceptors);
  const db = createClient(MinIODBService, transport);
  return {
    db,
    auth: createClient(AuthService, transport),
    transport,
    writeRecord: (table, record, callOptions) =>
      db.writeData({ table, data: toDataRecord(record) }, { signal: callOptions?.signal }),
    writeRecords: (table, records, writeOptions) => writeRecords(db, table, records, writeOptions),
    query: (sql, queryOptions) => queryRows(db, sql, queryOptions),
    streamQuery: (sql, streamOptions) => streamRecords(db, sql, streamOptions),
    createTable: (tableName, config, createOptions) =>
      db.createTable({ tableName, config, ifNotExists: createOptions?.ifNotExists ?? false }),
    listTables: async (pattern = "") => (await db.listTables({ pattern })).tables,
    getTable: async (tableName) => (await db.getTable({ tableName })).tableInfo!,
    deleteTable: (tableName, deleteOptions) =>
      db.deleteTable({
        tableName,
        ifExists: deleteOptions?.ifExists ?? false,
        cascade: deleteOptions?.cascade ?? false,
      }),
    signOut: async () => tokenSource?.revoke(),
  };
}

function staticTokenProvider(token: MiniodbClientOptions["token"]): TokenProvider | undefined {
  if (!token) return undefined;
  return { token: async () => (typeof token === "function" ? token() : token) };
}

function createTransport(options: MiniodbClientOptions, interceptors: Interceptor[]): Transport {
  const nodeOptions = options.caCertificate === undefined ? undefined : { ca: options.caCertificate };
  const common = { baseUrl: options.baseUrl, interceptors, defaultTimeoutMs: options.timeoutMs, nodeOptions };
  switch (options.protocol ?? "grpc") {
    case "grpc":
      return createGrpcTransport(common);
    case "connect":
      return createConnectTransport({ ...common, httpVersion: options.httpVersion ?? "1.1" });
    case "grpc-web":
      return createGrpcWebTransport({ ...common, httpVersion: options.httpVersion ?? "1.1" });
    default:
      throw new TypeError(`unknown protocol ${String(options.protocol)}: use grpc, connect or grpc-web`);
  }
}
