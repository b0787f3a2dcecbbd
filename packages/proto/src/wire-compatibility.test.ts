import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import * as api from "./index.js";

/**
 * The original MinIODB API, field for field (number name type). A client generated from the
 * original proto must keep working, so this table may only grow: never renumber, rename or retype.
 */
const original: Record<string, string[]> = {
  DataRecord: ["1 id string", "2 timestamp google.protobuf.Timestamp", "3 payload google.protobuf.Struct"],
  WriteDataRequest: ["1 table string", "2 data miniodb.v1.DataRecord"],
  WriteRequest: [
    "1 table string",
    "2 id string",
    "3 timestamp google.protobuf.Timestamp",
    "4 payload google.protobuf.Struct",
  ],
  WriteDataResponse: ["1 success bool", "2 message string", "3 node_id string"],
  QueryDataRequest: ["1 sql string", "2 limit int32", "3 cursor string"],
  QueryDataResponse: ["1 result_json string", "2 has_more bool", "3 next_cursor string"],
  UpdateDataRequest: [
    "1 table string",
    "2 id string",
    "3 payload google.protobuf.Struct",
    "4 timestamp google.protobuf.Timestamp",
  ],
  UpdateDataResponse: ["1 success bool", "2 message string", "3 node_id string"],
  DeleteDataRequest: ["1 table string", "2 id string", "3 soft_delete bool"],
  DeleteDataResponse: ["1 success bool", "2 message string", "3 deleted_count int32"],
  StreamWriteRequest: ["1 records repeated miniodb.v1.DataRecord", "2 table string"],
  StreamWriteResponse: ["1 success bool", "2 records_count int64", "3 errors repeated string"],
  StreamQueryRequest: ["1 sql string", "2 batch_size int32", "3 cursor string"],
  StreamQueryResponse: ["1 records repeated miniodb.v1.DataRecord", "2 has_more bool", "3 cursor string"],
  TableConfig: [
    "1 buffer_size int32",
    "2 flush_interval_seconds int32",
    "3 retention_days int32",
    "4 backup_enabled bool",
    "5 properties map<string,string>",
    "6 id_strategy string",
    "7 id_prefix string",
    "8 auto_generate_id bool",
    "9 id_validation miniodb.v1.IDValidationRules",
  ],
  IDValidationRules: ["1 max_length int32", "2 pattern string", "3 allowed_chars string"],
  CreateTableRequest: ["1 table_name string", "2 config miniodb.v1.TableConfig", "3 if_not_exists bool"],
  CreateTableResponse: ["1 success bool", "2 message string"],
  ListTablesRequest: ["1 pattern string"],
  TableInfo: [
    "1 name string",
    "2 config miniodb.v1.TableConfig",
    "3 created_at google.protobuf.Timestamp",
    "4 last_write google.protobuf.Timestamp",
    "5 status string",
    "6 stats miniodb.v1.TableStats",
  ],
  TableStats: [
    "1 record_count int64",
    "2 file_count int64",
    "3 size_bytes int64",
    "4 oldest_record google.protobuf.Timestamp",
    "5 newest_record google.protobuf.Timestamp",
  ],
  ListTablesResponse: ["1 tables repeated miniodb.v1.TableInfo", "2 total int32"],
  GetTableRequest: ["1 table_name string"],
  GetTableResponse: ["1 table_info miniodb.v1.TableInfo"],
  DeleteTableRequest: ["1 table_name string", "2 if_exists bool", "3 cascade bool"],
  DeleteTableResponse: ["1 success bool", "2 message string", "3 files_deleted int32"],
  BackupMetadataRequest: ["1 force bool"],
  BackupMetadataResponse: [
    "1 success bool",
    "2 message string",
    "3 backup_id string",
    "4 timestamp google.protobuf.Timestamp",
  ],
  RestoreMetadataRequest: [
    "1 backup_file string",
    "2 from_latest bool",
    "3 dry_run bool",
    "4 overwrite bool",
    "5 validate bool",
    "6 parallel bool",
    "7 filters map<string,string>",
    "8 key_patterns repeated string",
  ],
  RestoreMetadataResponse: [
    "1 success bool",
    "2 message string",
    "3 backup_file string",
    "4 entries_total int32",
    "5 entries_ok int32",
    "6 entries_skipped int32",
    "7 entries_error int32",
    "8 duration string",
    "9 errors repeated string",
    "10 details map<string,string>",
  ],
  ListBackupsRequest: ["1 days int32"],
  BackupInfo: [
    "1 object_name string",
    "2 node_id string",
    "3 timestamp google.protobuf.Timestamp",
    "4 size int64",
    "5 last_modified google.protobuf.Timestamp",
  ],
  ListBackupsResponse: ["1 backups repeated miniodb.v1.BackupInfo", "2 total int32"],
  GetMetadataStatusRequest: [],
  GetMetadataStatusResponse: [
    "1 node_id string",
    "2 backup_status map<string,string>",
    "3 last_backup google.protobuf.Timestamp",
    "4 next_backup google.protobuf.Timestamp",
    "5 health_status string",
  ],
  HealthCheckRequest: [],
  HealthCheckResponse: [
    "1 status string",
    "2 timestamp google.protobuf.Timestamp",
    "3 version string",
    "4 details map<string,string>",
  ],
  GetStatusRequest: [],
  NodeInfo: ["1 id string", "2 status string", "3 type string", "4 address string", "5 last_seen int64"],
  GetStatusResponse: [
    "1 timestamp google.protobuf.Timestamp",
    "2 buffer_stats map<string,int64>",
    "3 redis_stats map<string,int64>",
    "4 minio_stats map<string,int64>",
    "5 nodes repeated miniodb.v1.NodeInfo",
    "6 total_nodes int32",
  ],
  GetMetricsRequest: [],
  GetMetricsResponse: [
    "1 timestamp google.protobuf.Timestamp",
    "2 performance_metrics map<string,double>",
    "3 resource_usage map<string,int64>",
    "4 system_info map<string,string>",
  ],
  GetTokenRequest: ["1 api_key string", "2 secret string"],
  GetTokenResponse: [
    "1 access_token string",
    "2 refresh_token string",
    "3 expires_in int64",
    "4 token_type string",
  ],
  RefreshTokenRequest: ["1 refresh_token string"],
  RefreshTokenResponse: [
    "1 access_token string",
    "2 refresh_token string",
    "3 expires_in int64",
    "4 token_type string",
  ],
  RevokeTokenRequest: ["1 token string"],
  RevokeTokenResponse: ["1 success bool", "2 message string"],
};

const originalRpcs = {
  MinIODBService: [
    "WriteData unary",
    "QueryData unary",
    "UpdateData unary",
    "DeleteData unary",
    "StreamWrite client_streaming",
    "StreamQuery server_streaming",
    "CreateTable unary",
    "ListTables unary",
    "GetTable unary",
    "DeleteTable unary",
    "BackupMetadata unary",
    "RestoreMetadata unary",
    "ListBackups unary",
    "GetMetadataStatus unary",
    "HealthCheck unary",
    "GetStatus unary",
    "GetMetrics unary",
  ],
  AuthService: ["GetToken unary", "RefreshToken unary", "RevokeToken unary"],
};

function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}

function describeField(field: DescField): string {
  const head = `${field.number} ${field.name}`;
  switch (field.fieldKind) {
    case "scalar":
      return `${head} ${scalarName(field.scalar)}`;
    case "message":
      return `${head} ${field.message.typeName}`;
    case "enum":
      return `${head} ${field.enum.typeName}`;
    case "list":
      return `${head} repeated ${field.listKind === "scalar" ? scalarName(field.scalar) : field.listKind === "message" ? field.message.typeName : field.enum.typeName}`;
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarName(field.scalar)
          : field.mapKind === "message"
            ? field.message.typeName
            : field.enum.typeName;
      return `${head} map<${scalarName(field.mapKey)},${value}>`;
    }
  }
}

const schemas = Object.fromEntries(
  Object.entries(api)
    .filter(([name, value]) => name.endsWith("Schema") && (value as { kind?: string }).kind === "message")
    .map(([name, value]) => [name.slice(0, -"Schema".length), value as DescMessage]),
);

describe("miniodb.v1 wire compatibility with the original API", () => {
  it("keeps every original message in package miniodb.v1", () => {
    for (const name of Object.keys(original)) {
      assert.equal(schemas[name]?.typeName, `miniodb.v1.${name}`, name);
    }
  });

  for (const [name, fields] of Object.entries(original)) {
    it(`keeps ${name}'s field numbers, names and types`, () => {
      const actual = schemas[name]!.fields.map(describeField);
      // Additions are allowed; every original field must be present unchanged.
      for (const field of fields)
        assert.ok(
          actual.includes(field),
          `${name}: missing or changed "${field}" (have ${actual.join(", ")})`,
        );
      const numbers = fields.map((field) => Number(field.split(" ")[0]));
      const added = schemas[name]!.fields.filter((field) => !fields.includes(describeField(field)));
      for (const field of added)
        assert.ok(!numbers.includes(field.number), `${name}: number ${field.number} reused`);
    });
  }

  it("keeps the 17 + 3 RPCs with their streaming kinds and request/response types", () => {
    for (const [serviceName, rpcs] of Object.entries(originalRpcs)) {
      const service = (
        api as unknown as Record<
          string,
          {
            typeName: string;
            methods: Array<{ name: string; methodKind: string; input: DescMessage; output: DescMessage }>;
          }
        >
      )[serviceName]!;
      assert.equal(service.typeName, `miniodb.v1.${serviceName}`);
      const actual = service.methods.map((method) => `${method.name} ${method.methodKind}`);
      for (const rpc of rpcs) assert.ok(actual.includes(rpc), `${serviceName}: missing ${rpc}`);
      for (const method of service.methods) {
        assert.equal(method.input.typeName, `miniodb.v1.${method.name}Request`);
        assert.equal(method.output.typeName, `miniodb.v1.${method.name}Response`);
      }
    }
    assert.equal(originalRpcs.MinIODBService.length + originalRpcs.AuthService.length, 20);
  });
});
