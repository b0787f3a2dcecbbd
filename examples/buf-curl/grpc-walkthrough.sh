#!/usr/bin/env bash
# The gRPC API with buf curl, using the repository's .proto files as the schema: health, create a
# table, write, query, drop.
#   MINIODB_GRPC_URL  the node's gRPC address (default http://localhost:8080)
#   MINIODB_TOKEN     a bearer token, when the node requires one
#   TABLE             the table to use (default buf_demo; dropped at the end)
set -euo pipefail

URL="${MINIODB_GRPC_URL:-http://localhost:8080}"
TABLE="${TABLE:-buf_demo}"
cd "$(dirname "$0")/../.." # buf.yaml at the repository root names the schema module (proto/)
NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ARGS=(--schema . --protocol grpc)
if [[ "${URL}" == http://* ]]; then ARGS+=(--http2-prior-knowledge); fi
if [[ -n "${MINIODB_TOKEN:-}" ]]; then ARGS+=(-H "Authorization: Bearer ${MINIODB_TOKEN}"); fi

# rpc METHOD [JSON]: calls miniodb.v1.MinIODBService/METHOD and prints the answer.
rpc() {
  echo "> $1"
  npx --no-install buf curl "${ARGS[@]}" -d "${2:-{\}}" "${URL}/miniodb.v1.MinIODBService/$1"
}

rpc HealthCheck
rpc CreateTable '{"tableName": "'"${TABLE}"'", "ifNotExists": true, "config": {"bufferSize": 1000}}'
rpc WriteData '{"table": "'"${TABLE}"'", "data": {"id": "sensor-1", "timestamp": "'"${NOW}"'", "payload": {"celsius": 21.5}}}'
rpc WriteData '{"table": "'"${TABLE}"'", "data": {"id": "sensor-2", "timestamp": "'"${NOW}"'", "payload": {"celsius": 23.5}}}'
rpc QueryData '{"sql": "SELECT count(*) AS readings, avg(celsius) AS mean FROM '"${TABLE}"'"}'
rpc DeleteTable '{"tableName": "'"${TABLE}"'", "ifExists": true, "cascade": true}'
