import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { s3Range } from "./s3-range.js";

describe("s3Range", () => {
  it("turns an exclusive end into HTTP's inclusive one", () => {
    assert.equal(s3Range({ start: 2, end: 5 }), "bytes=2-4");
    assert.equal(s3Range({ start: 7 }), "bytes=7-");
  });

  it("needs no header for the whole object", () => {
    assert.equal(s3Range(undefined), "whole");
    assert.equal(s3Range({ start: 0 }), "whole");
    assert.equal(s3Range({ start: -3 }), "whole");
  });

  it("reports ranges that select nothing, which HTTP would answer with the whole object", () => {
    assert.equal(s3Range({ start: 5, end: 5 }), "empty");
    assert.equal(s3Range({ start: 5, end: 2 }), "empty");
  });
});
