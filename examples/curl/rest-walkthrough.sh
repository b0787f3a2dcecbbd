#!/usr/bin/env bash
# The REST API with curl: create a table, write, query, update, delete, drop.
#   MINIODB_REST_URL  the node's REST address (default http://localhost:8081)
#   MINIODB_TOKEN     a bearer token, when the node requires one
#   TABLE             the table to use (default users; dropped at the end)
set -euo pipefail

URL="${MINIODB_REST_URL:-http://localhost:8081}"
TABLE="${TABLE:-users}"
# Recent times: the table keeps 365 days, so older records would be out of retention at once.
NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
AUTH=()
if [[ -n "${MINIODB_TOKEN:-}" ]]; then AUTH=(-H "Authorization: Bearer ${MINIODB_TOKEN}"); fi

# call METHOD PATH [JSON]: prints the answer; fails (with the answer) on an error status.
call() {
  local method="$1" path="$2"
  shift 2
  echo "> ${method} ${path}"
  curl -sS --fail-with-body -X "${method}" "${URL}${path}" -H "Content-Type: application/json" \
    "${AUTH[@]}" "$@"
  echo
}

call GET /v1/health

call POST /v1/tables -d '{
  "table_name": "'"${TABLE}"'",
  "if_not_exists": true,
  "config": { "buffer_size": 1000, "flush_interval_seconds": 30, "retention_days": 365, "backup_enabled": true }
}'
call GET /v1/tables

call POST /v1/data -d '{
  "table": "'"${TABLE}"'",
  "data": {
    "id": "user-123",
    "timestamp": "'"${NOW}"'",
    "payload": { "name": "John Doe", "age": 30, "score": 95.5 }
  }
}'
call POST /v1/data -d '{
  "table": "'"${TABLE}"'",
  "data": { "id": "user-456", "timestamp": "'"${NOW}"'", "payload": { "name": "Jane Roe", "age": 24, "score": 88 } }
}'

call POST /v1/query -d '{ "sql": "SELECT COUNT(*) AS adults FROM '"${TABLE}"' WHERE age > 25", "limit": 100, "cursor": "" }'

call PUT /v1/data -d '{
  "table": "'"${TABLE}"'",
  "id": "user-123",
  "payload": { "name": "John Smith", "age": 31, "score": 98.5 },
  "timestamp": "'"${NOW}"'"
}'
call POST /v1/query -d '{ "sql": "SELECT id, name, age, score FROM '"${TABLE}"' ORDER BY id" }'

call DELETE /v1/data -d '{ "table": "'"${TABLE}"'", "id": "user-123", "soft_delete": false }'
call POST /v1/query -d '{ "sql": "SELECT id, name FROM '"${TABLE}"' ORDER BY id" }'

call GET "/v1/tables/${TABLE}"
call DELETE "/v1/tables/${TABLE}?if_exists=true&cascade=true"
