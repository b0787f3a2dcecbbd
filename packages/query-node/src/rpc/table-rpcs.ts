import { create } from "@bufbuild/protobuf";
import {
  CreateTableResponseSchema,
  DeleteTableResponseSchema,
  GetTableResponseSchema,
  ListTablesResponseSchema,
  type CreateTableRequest,
  type DeleteTableRequest,
  type GetTableRequest,
  type ListTablesRequest,
} from "@miniodb/proto";
import { createTableMessage, deleteTableMessage, type TableService } from "../services/table-service.js";
import { tableConfigFromProto, tableInfoToProto } from "./proto-convert.js";

/** CreateTable, ListTables, GetTable, DeleteTable of MinIODBService. */
export function createTableRpcs(tables: TableService) {
  return {
    async createTable(request: CreateTableRequest) {
      const created = await tables.create(
        request.tableName,
        tableConfigFromProto(request.config),
        request.ifNotExists,
      );
      const message = createTableMessage(request.tableName, created);
      return create(CreateTableResponseSchema, { success: true, message });
    },
    async listTables(request: ListTablesRequest) {
      const views = await tables.list(request.pattern);
      return create(ListTablesResponseSchema, { tables: views.map(tableInfoToProto), total: views.length });
    },
    async getTable(request: GetTableRequest) {
      return create(GetTableResponseSchema, {
        tableInfo: tableInfoToProto(await tables.get(request.tableName)),
      });
    },
    async deleteTable(request: DeleteTableRequest) {
      const deleted = await tables.delete(request.tableName, {
        ifExists: request.ifExists,
        cascade: request.cascade,
      });
      const message = deleteTableMessage(request.tableName, deleted);
      return create(DeleteTableResponseSchema, { success: true, message, filesDeleted: deleted ?? 0 });
    },
  };
}
