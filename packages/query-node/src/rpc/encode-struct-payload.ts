import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/**
 * A JSON object encoded as a `google.protobuf.Struct`, byte for byte what protobuf-es's
 * `toBinary(StructSchema, fromJson(StructSchema, object))` writes, without building the Struct's
 * message objects first (that round trip was the cost of streaming query results). Numbers are
 * `number_value` (doubles), `null` is `null_value`, arrays are `list_value`, objects `struct_value`.
 */
export function encodeStructPayload(object: JsonObject): Uint8Array {
  const writer = new BinaryWriter();
  writeFields(writer, object);
  return writer.finish();
}

/** `map<string, Value> fields = 1`: one length-delimited entry `{key = 1, value = 2}` per key. */
function writeFields(writer: BinaryWriter, object: JsonObject): void {
  for (const key in object) {
    writer.tag(1, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).string(key);
    writer.tag(2, WireType.LengthDelimited).fork();
    writeValue(writer, object[key]!);
    writer.join();
    writer.join();
  }
}

/** The body of one `google.protobuf.Value`. */
function writeValue(writer: BinaryWriter, value: JsonValue): void {
  switch (typeof value) {
    case "number":
      writer.tag(2, WireType.Bit64).double(value);
      return;
    case "string":
      writer.tag(3, WireType.LengthDelimited).string(value);
      return;
    case "boolean":
      writer.tag(4, WireType.Varint).bool(value);
      return;
    case "object":
      if (value === null) {
        writer.tag(1, WireType.Varint).int32(0);
      } else if (Array.isArray(value)) {
        writer.tag(6, WireType.LengthDelimited).fork();
        for (const item of value) {
          writer.tag(1, WireType.LengthDelimited).fork();
          writeValue(writer, item);
          writer.join();
        }
        writer.join();
      } else {
        writer.tag(5, WireType.LengthDelimited).fork();
        writeFields(writer, value);
        writer.join();
      }
      return;
  }
}
