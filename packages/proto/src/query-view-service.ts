import type { DescMethod } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import { MinIODBService, StreamQueryRequestSchema } from "./gen/miniodb/v1/miniodb_pb.js";
import { StreamQueryResponseViewSchema } from "./gen/miniodb/views/v1/query_views_pb.js";

const streamQuery: DescMethod = {
  ...MinIODBService.method.streamQuery,
  output: StreamQueryResponseViewSchema,
  toString: () => "rpc miniodb.v1.MinIODBService.StreamQuery (view)",
};

/**
 * MinIODBService's StreamQuery with the same path and request, whose responses encode as
 * `miniodb.views.v1.StreamQueryResponseView`: each record's payload is written as ready-made
 * Struct bytes. For binary (protobuf) responses only: the view's JSON form differs from the public
 * message's (a `bytes` payload is base64 in JSON).
 */
export const MinIODBQueryViewService = {
  ...MinIODBService,
  methods: [streamQuery],
  method: { streamQuery },
} as unknown as GenService<{
  streamQuery: {
    methodKind: "server_streaming";
    input: typeof StreamQueryRequestSchema;
    output: typeof StreamQueryResponseViewSchema;
  };
}>;
