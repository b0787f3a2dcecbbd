import type { Hono } from "hono";
import { MiniodbError } from "@miniodb/core";
import { UpdateDataRequestSchema } from "@miniodb/proto";
import { recordFromProto } from "../rpc/proto-convert.js";
import { deletedMessage } from "../rpc/mutation-rpcs.js";
import type { MutationService } from "../services/mutation-service.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";

/**
 * `PUT /v1/data {table, id, payload, timestamp}` (UpdateData) and `DELETE /v1/data` with
 * `{table, id, soft_delete}` or `{table, ids: [...], soft_delete}` (DeleteData), and
 * `POST /v1/data/restore` with `{table, id}` or `{table, ids: [...]}`, which brings soft-deleted
 * records back.
 */
export function addMutationRoutes(app: Hono, mutations: MutationService, nodeId: string): void {
  app.put("/v1/data", async (context) => {
    const request = messageFromJson(UpdateDataRequestSchema, await readJsonBody(context));
    await mutations.update(request.table, recordFromProto(request));
    return context.json({ success: true, message: `record ${request.id} updated`, node_id: nodeId });
  });

  app.delete("/v1/data", async (context) => {
    const { table, ids, soft } = parseDeleteBody(await readJsonBody(context));
    const deleted = await mutations.delete(table, ids, soft);
    return context.json({
      success: true,
      message: deletedMessage(deleted, soft),
      deleted_count: deleted,
    });
  });

  app.post("/v1/data/restore", async (context) => {
    const { table, ids, soft } = parseDeleteBody(await readJsonBody(context));
    if (soft) throw new MiniodbError("invalid_argument", "soft_delete has no meaning for a restore");
    const restored = await mutations.restore(table, ids);
    return context.json({ success: true, message: `${restored} rows restored`, restored_count: restored });
  });
}

function parseDeleteBody(body: unknown): { table: string; ids: string[]; soft: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new MiniodbError("invalid_argument", "the request body must be a JSON object");
  }
  const fields = body as Record<string, unknown>;
  const known = new Set(["table", "id", "ids", "soft_delete", "softDelete"]);
  const unknown = Object.keys(fields).filter((key) => !known.has(key));
  if (unknown.length > 0)
    throw new MiniodbError("invalid_argument", `unknown field ${JSON.stringify(unknown[0])}`);
  const soft = fields["soft_delete"] ?? fields["softDelete"] ?? false;
  if (typeof soft !== "boolean")
    throw new MiniodbError("invalid_argument", "soft_delete must be true or false");
  if (typeof fields["table"] !== "string")
    throw new MiniodbError("invalid_argument", "table must be a string");
  const ids = fields["ids"] ?? (fields["id"] === undefined ? [] : [fields["id"]]);
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    throw new MiniodbError("invalid_argument", "id must be a string and ids a list of strings");
  }
  if (fields["id"] !== undefined && fields["ids"] !== undefined) {
    throw new MiniodbError("invalid_argument", "send either id or ids, not both");
  }
  return { table: fields["table"], ids: ids as string[], soft };
}
