import { create } from "@bufbuild/protobuf";
import {
  DeleteDataResponseSchema,
  UpdateDataResponseSchema,
  type DeleteDataRequest,
  type UpdateDataRequest,
} from "@miniodb/proto";
import type { MutationService } from "../services/mutation-service.js";
import { recordFromProto } from "./proto-convert.js";

/** UpdateData and DeleteData of MinIODBService. */
export function createMutationRpcs(mutations: MutationService, nodeId: string) {
  return {
    async updateData(request: UpdateDataRequest) {
      await mutations.update(request.table, recordFromProto(request));
      return create(UpdateDataResponseSchema, {
        success: true,
        message: `record ${request.id} updated`,
        nodeId,
      });
    },
    async deleteData(request: DeleteDataRequest) {
      const deleted = await mutations.delete(request.table, [request.id], request.softDelete);
      return create(DeleteDataResponseSchema, {
        success: true,
        message: deletedMessage(deleted, request.softDelete),
        deletedCount: deleted,
      });
    },
  };
}

export function deletedMessage(deleted: number, soft: boolean): string {
  if (deleted === 0) return "no matching record";
  return `${deleted} record${deleted === 1 ? "" : "s"} ${soft ? "soft-" : ""}deleted`;
}
