import type { DescMessage, DescMethod } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import {
  MinIODBService,
  StreamWriteResponseSchema,
  WriteDataResponseSchema,
} from "./gen/miniodb/v1/miniodb_pb.js";
import {
  StreamWriteRequestViewSchema,
  WriteDataRequestViewSchema,
} from "./gen/miniodb/views/v1/write_views_pb.js";

/** A copy of one of MinIODBService's methods that decodes its input as `input`. */
function withInput(method: DescMethod, input: DescMessage): DescMethod {
  return { ...method, input, toString: () => `rpc ${method.parent.typeName}.${method.name} (view)` };
}

const writeData = withInput(MinIODBService.method.writeData, WriteDataRequestViewSchema);
const streamWrite = withInput(MinIODBService.method.streamWrite, StreamWriteRequestViewSchema);

/**
 * The WriteData and StreamWrite methods of `miniodb.v1.MinIODBService`, with the same paths and
 * responses, whose requests decode as the `miniodb.views.v1` views: payloads arrive as the
 * encoded Struct bytes instead of objects. For binary (protobuf) requests only: the views' JSON
 * form differs from the public messages' (a `bytes` payload is base64 in JSON).
 */
export const MinIODBWriteViewService = {
  ...MinIODBService,
  methods: [writeData, streamWrite],
  method: { writeData, streamWrite },
} as unknown as GenService<{
  writeData: {
    methodKind: "unary";
    input: typeof WriteDataRequestViewSchema;
    output: typeof WriteDataResponseSchema;
  };
  streamWrite: {
    methodKind: "client_streaming";
    input: typeof StreamWriteRequestViewSchema;
    output: typeof StreamWriteResponseSchema;
  };
}>;
