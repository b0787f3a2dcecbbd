import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  create,
  fromBinary,
  ScalarType,
  toBinary,
  type DescField,
  type DescMessage,
} from "@bufbuild/protobuf";
import { StructSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  DataRecordSchema,
  MinIODBService,
  StreamWriteRequestSchema,
  WriteDataRequestSchema,
} from "./index.js";
import {
  DataRecordViewSchema,
  MinIODBWriteViewService,
  StreamWriteRequestViewSchema,
  WriteDataRequestViewSchema,
} from "./views.js";

/** How a field is laid out on the wire (what a decoder of the other message must agree on). */
function wireShape(field: DescField): string {
  const repeated = field.fieldKind === "list" ? "repeated " : "";
  switch (field.fieldKind) {
    case "scalar":
      return `${field.number} ${field.name} ${field.scalar}`;
    case "message":
      return `${field.number} ${field.name} ${field.message.typeName}`;
    case "list":
      return `${field.number} ${field.name} ${repeated}${field.message?.typeName ?? field.scalar}`;
    default:
      return `${field.number} ${field.name} ${field.fieldKind}`;
  }
}

const views: Array<[DescMessage, DescMessage, Record<string, string>]> = [
  [
    DataRecordSchema,
    DataRecordViewSchema,
    { "3 payload google.protobuf.Struct": `3 payload ${ScalarType.BYTES}` },
  ],
  [WriteDataRequestSchema, WriteDataRequestViewSchema, {}],
  [
    StreamWriteRequestSchema,
    StreamWriteRequestViewSchema,
    { "1 records repeated miniodb.v1.DataRecord": `1 records repeated ${ScalarType.BYTES}` },
  ],
];

describe("write views", () => {
  it("have the fields of the messages they view; only payloads (and stream records) are bytes", () => {
    for (const [original, view, retyped] of views) {
      const expected = original.fields
        .map(wireShape)
        .map((shape) => retyped[shape] ?? shape)
        .map((shape) => shape.replace("miniodb.v1.DataRecord", "miniodb.views.v1.DataRecordView"));
      assert.deepEqual(view.fields.map(wireShape), expected, view.typeName);
    }
  });

  it("decode what clients encode, and give the Struct's bytes untouched", () => {
    const payload = { name: "Ann", n: 1, nested: { list: [1, "x", null, true] } };
    const records = [
      create(DataRecordSchema, { id: "a", timestamp: timestampFromMs(1_700_000_000_000), payload }),
      create(DataRecordSchema, { id: "b", payload: {} }),
      create(DataRecordSchema, { id: "c" }),
    ];
    const bytes = toBinary(
      StreamWriteRequestSchema,
      create(StreamWriteRequestSchema, { table: "t", records }),
    );
    const view = fromBinary(StreamWriteRequestViewSchema, bytes);
    assert.equal(view.table, "t");
    const viewed = view.records.map((record) => fromBinary(DataRecordViewSchema, record));
    assert.deepEqual(
      view.records.map((record) => fromBinary(DataRecordSchema, record)),
      records,
      "each stream record is a DataRecord's encoding",
    );
    assert.deepEqual(
      viewed.map((record) => record.id),
      ["a", "b", "c"],
    );
    assert.equal(viewed[0]!.timestamp?.seconds, 1_700_000_000n);
    const struct = fromBinary(StructSchema, viewed[0]!.payload!);
    assert.deepEqual(Object.keys(struct.fields), ["name", "n", "nested"]);
    assert.equal(viewed[1]!.payload?.length, 0, "an empty Struct is present, with no bytes");
    assert.equal(viewed[2]!.payload, undefined, "an absent payload stays absent");
    assert.deepEqual(
      fromBinary(StreamWriteRequestSchema, toBinary(StreamWriteRequestViewSchema, view)),
      fromBinary(StreamWriteRequestSchema, bytes),
    );
  });

  it("serve WriteData and StreamWrite under the public paths and responses", () => {
    for (const name of ["writeData", "streamWrite"] as const) {
      const view = MinIODBWriteViewService.method[name];
      const original = MinIODBService.method[name];
      assert.equal(view.parent.typeName, "miniodb.v1.MinIODBService");
      assert.equal(view.name, original.name);
      assert.equal(view.methodKind, original.methodKind);
      assert.equal(view.output, original.output);
    }
    assert.deepEqual(
      MinIODBWriteViewService.methods.map((method) => method.input.typeName),
      ["miniodb.views.v1.WriteDataRequestView", "miniodb.views.v1.StreamWriteRequestView"],
    );
  });
});
