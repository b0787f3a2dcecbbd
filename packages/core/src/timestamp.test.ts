import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "./miniodb-error.js";
import { formatTimestampMicros, parseTimestampMicros } from "./timestamp.js";

describe("timestamps", () => {
  it("parses RFC 3339 with zones and fractions to microseconds", () => {
    assert.equal(parseTimestampMicros("2024-01-01T10:00:00Z"), Date.UTC(2024, 0, 1, 10) * 1000);
    assert.equal(parseTimestampMicros("2024-01-01T12:00:00+02:00"), Date.UTC(2024, 0, 1, 10) * 1000);
    assert.equal(
      parseTimestampMicros("2024-01-01T10:00:00.123456789Z"),
      Date.UTC(2024, 0, 1, 10) * 1000 + 123_456,
    );
    assert.equal(parseTimestampMicros("2024-01-01 10:00:00.5z"), Date.UTC(2024, 0, 1, 10) * 1000 + 500_000);
  });

  it("rejects anything else with invalid_argument", () => {
    for (const text of [
      "",
      "2024",
      "2024-01-01",
      "2024-01-01T10:00:00",
      "yesterday",
      "2024-13-01T00:00:00Z",
      "0001-01-01T00:00:00Z",
    ]) {
      assert.throws(
        () => parseTimestampMicros(text),
        (error: unknown) => MiniodbError.is(error, "invalid_argument"),
        text,
      );
    }
  });

  it("formats microseconds back to RFC 3339", () => {
    assert.equal(formatTimestampMicros(Date.UTC(2024, 0, 1, 10) * 1000), "2024-01-01T10:00:00.000Z");
    assert.equal(
      formatTimestampMicros(Date.UTC(2024, 0, 1, 10) * 1000 + 123_456),
      "2024-01-01T10:00:00.123456Z",
    );
    const micros = parseTimestampMicros("2024-06-30T23:59:59.000001Z");
    assert.equal(parseTimestampMicros(formatTimestampMicros(micros)), micros);
  });
});
