/** JSON over HTTP against a node's REST port. */
export interface JsonResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** The REST error body: `{"error": {"code", "message"}}`. */
export interface RestErrorBody {
  readonly error?: { readonly code: string; readonly message: string };
}

export async function requestJson<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown } = {},
): Promise<JsonResponse<T>> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

export type Row = Record<string, unknown>;

/** The outcome of one QueryData call: its rows, or the HTTP status and error code it failed with. */
export type QueryOutcome =
  | { readonly ok: true; readonly rows: Row[] }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

export async function tryQuery(rest: string, sql: string): Promise<QueryOutcome> {
  const response = await requestJson<{ result_json: string } & RestErrorBody>(`${rest}/v1/query`, {
    body: { sql },
  });
  if (response.status === 200) return { ok: true, rows: JSON.parse(response.body.result_json) as Row[] };
  return {
    ok: false,
    status: response.status,
    code: response.body.error?.code ?? "",
    message: response.body.error?.message ?? JSON.stringify(response.body),
  };
}

/** QueryData's rows; throws on an error answer. */
export async function queryRows(rest: string, sql: string): Promise<Row[]> {
  const outcome = await tryQuery(rest, sql);
  if (!outcome.ok)
    throw new Error(`query failed (${outcome.status} ${outcome.code}): ${outcome.message}\n${sql}`);
  return outcome.rows;
}

/** Creates a new table with the given config; throws unless it was created (201). */
export async function createTable(
  rest: string,
  table: string,
  config: Record<string, unknown>,
): Promise<void> {
  const response = await requestJson(`${rest}/v1/tables`, { body: { table_name: table, config } });
  if (response.status !== 201) throw new Error(`creating ${table} failed: ${JSON.stringify(response.body)}`);
}
