import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DataRecordSchema, MinIODBService, StreamQueryResponseSchema } from "./gen/miniodb/v1/miniodb_pb.js";
import { StreamQueryResponseViewSchema } from "./gen/miniodb/views/v1/query_views_pb.js";
import { MinIODBQueryViewService } from "./query-view-service.js";

describe("query views", () => {
  it("encode bytes that decode as the public StreamQueryResponse", () => {
    const payload = { name: "Ada", age: 36, tags: ["x", 1, null], nested: { ok: true } };
    const record = create(DataRecordSchema, {
      id: "u-1",
      timestamp: timestampFromMs(1_700_000_000_123),
      payload,
    });
    const view = create(StreamQueryResponseViewSchema, {
      records: [toBinary(DataRecordSchema, record), new Uint8Array()],
      hasMore: true,
      cursor: "c",
    });
    const decoded = fromBinary(StreamQueryResponseSchema, toBinary(StreamQueryResponseViewSchema, view));
    assert.equal(decoded.hasMore, true);
    assert.equal(decoded.cursor, "c");
    assert.equal(decoded.records[0]!.id, "u-1");
    assert.equal(decoded.records[0]!.timestamp?.nanos, 123_000_000);
    assert.deepEqual(decoded.records[0]!.payload, payload);
    assert.deepEqual(decoded.records[1], create(DataRecordSchema, {}));
  });

  it("match the public message field for field", () => {
    assert.deepEqual(
      StreamQueryResponseViewSchema.fields.map((field) => [field.number, field.name]),
      StreamQueryResponseSchema.fields.map((field) => [field.number, field.name]),
    );
  });

  it("keep StreamQuery's path and request, with the view as output", () => {
    const method = MinIODBQueryViewService.method.streamQuery;
    assert.equal(MinIODBQueryViewService.typeName, MinIODBService.typeName);
    assert.equal(method.name, MinIODBService.method.streamQuery.name);
    assert.equal(method.input, MinIODBService.method.streamQuery.input);
    assert.equal(method.output, StreamQueryResponseViewSchema);
  });
});
