import type { DecodedPayloads } from "./decoded-payloads.js";
import type { DecodedRestBatch, RestBatchBody } from "./rest-batch.js";
import type { StructBatch } from "./struct-batch.js";

/** What the decode thread is asked to read. */
export type DecodeRequest =
  | { readonly id: number; readonly kind: "structs"; readonly batch: StructBatch }
  | { readonly id: number; readonly kind: "rest"; readonly body: RestBatchBody };

/** Its answer to request `id`. */
export interface DecodeReply {
  readonly id: number;
  readonly decoded: DecodedPayloads | DecodedRestBatch;
}
