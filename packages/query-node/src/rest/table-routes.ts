import type { Hono } from "hono";
import { CreateTableRequestSchema } from "@miniodb/proto";
import { tableConfigFromProto } from "../rpc/proto-convert.js";
import { createTableMessage, deleteTableMessage, type TableService } from "../services/table-service.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";
import { tableViewToJson } from "./table-json.js";

const flag = (value: string | undefined) => value === "true" || value === "1";

/** `POST /v1/tables`, `GET /v1/tables?pattern=`, `GET /v1/tables/:name`, `DELETE /v1/tables/:name`. */
export function addTableRoutes(app: Hono, tables: TableService): void {
  app.post("/v1/tables", async (context) => {
    const request = messageFromJson(CreateTableRequestSchema, await readJsonBody(context));
    const created = await tables.create(
      request.tableName,
      tableConfigFromProto(request.config),
      request.ifNotExists,
    );
    const message = createTableMessage(request.tableName, created);
    return context.json({ success: true, message }, created ? 201 : 200);
  });
  app.get("/v1/tables", async (context) => {
    const views = await tables.list(context.req.query("pattern") ?? "");
    return context.json({ tables: views.map(tableViewToJson), total: views.length });
  });
  app.get("/v1/tables/:name", async (context) => {
    return context.json({ table_info: tableViewToJson(await tables.get(context.req.param("name"))) });
  });
  app.delete("/v1/tables/:name", async (context) => {
    const name = context.req.param("name");
    const deleted = await tables.delete(name, {
      ifExists: flag(context.req.query("if_exists")),
      cascade: flag(context.req.query("cascade")),
    });
    const message = deleteTableMessage(name, deleted);
    return context.json({ success: true, message, files_deleted: deleted ?? 0 });
  });
}
