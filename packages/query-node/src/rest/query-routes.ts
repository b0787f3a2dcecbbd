import type { Hono } from "hono";
import { QueryDataRequestSchema } from "@miniodb/proto";
import { resultJson, type QueryPager } from "../services/query-pager.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";

/** `POST /v1/query {sql, limit, cursor}` → `{result_json, has_more, next_cursor}` (QueryData). */
export function addQueryRoutes(app: Hono, pager: QueryPager): void {
  app.post("/v1/query", async (context) => {
    const request = messageFromJson(QueryDataRequestSchema, await readJsonBody(context));
    const page = await pager.page(request.sql, request.limit, request.cursor);
    return context.json({
      result_json: resultJson(page),
      has_more: page.hasMore,
      next_cursor: page.nextCursor,
    });
  });
}
