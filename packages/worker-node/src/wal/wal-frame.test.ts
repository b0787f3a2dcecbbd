import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeWalSegment, encodeWalFrame, WAL_MAGIC } from "./wal-frame.js";

const segmentOf = (payloads: Uint8Array[]) => Buffer.concat([WAL_MAGIC, ...payloads.map(encodeWalFrame)]);
const payloadsArb = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });

describe("WAL framing", () => {
  it("round-trips any sequence of payloads", () => {
    fc.assert(
      fc.property(payloadsArb, (payloads) => {
        const segment = segmentOf(payloads);
        const decoded = decodeWalSegment(segment);
        assert.equal(decoded.tail, "clean");
        assert.equal(decoded.validBytes, segment.length);
        assert.deepEqual(
          decoded.frames.map((frame) => Buffer.from(frame)),
          payloads.map((p) => Buffer.from(p)),
        );
      }),
    );
  });

  it("treats a segment cut at any byte as a torn tail and keeps every whole frame before it", () => {
    fc.assert(
      fc.property(
        payloadsArb.filter((p) => p.length > 0),
        fc.nat(),
        (payloads, cutSeed) => {
          const segment = segmentOf(payloads);
          const cut = cutSeed % segment.length;
          const decoded = decodeWalSegment(segment.subarray(0, cut));
          const boundaries = [WAL_MAGIC.length];
          for (const payload of payloads) boundaries.push(boundaries.at(-1)! + 8 + payload.length);
          const whole = boundaries.filter((boundary) => boundary <= cut).length - 1;
          assert.equal(decoded.frames.length, Math.max(0, whole));
          assert.ok(decoded.validBytes <= cut);
          assert.equal(decoded.tail, boundaries.includes(cut) ? "clean" : "torn");
        },
      ),
    );
  });

  it("reports a damaged frame followed by more data as corruption, not a torn tail", () => {
    const segment = segmentOf([Buffer.from("first"), Buffer.from("second"), Buffer.from("third")]);
    const damaged = Buffer.from(segment);
    damaged[WAL_MAGIC.length + 8 + 5 + 8 + 2]! ^= 0xff; // inside "second"
    const decoded = decodeWalSegment(damaged);
    assert.equal(decoded.tail, "corrupt");
    assert.deepEqual(decoded.frames.map(String), ["first"]);
    assert.equal(decoded.validBytes, WAL_MAGIC.length + 8 + 5);
  });

  it("reports a damaged last frame as a torn tail", () => {
    const segment = segmentOf([Buffer.from("kept"), Buffer.from("half-written")]);
    const damaged = Buffer.from(segment);
    damaged[damaged.length - 1]! ^= 0x01;
    const decoded = decodeWalSegment(damaged);
    assert.equal(decoded.tail, "torn");
    assert.deepEqual(decoded.frames.map(String), ["kept"]);
  });

  it("rejects a wrong magic and tolerates a segment torn inside its magic", () => {
    assert.equal(decodeWalSegment(Buffer.from("NOTAWAL1rest")).tail, "corrupt");
    assert.equal(decodeWalSegment(WAL_MAGIC.subarray(0, 3)).tail, "torn");
    assert.equal(decodeWalSegment(Buffer.alloc(0)).tail, "torn");
  });

  it("treats an absurd length field as garbage rather than reading it", () => {
    const segment = Buffer.concat([
      WAL_MAGIC,
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
      Buffer.alloc(16),
    ]);
    const decoded = decodeWalSegment(segment);
    assert.equal(decoded.frames.length, 0);
    assert.equal(decoded.validBytes, WAL_MAGIC.length);
  });

  it("never reads zero bytes as frames: a zero-filled tail is torn, whatever its length", () => {
    const kept = segmentOf([Buffer.from("kept")]);
    for (const zeros of [8, 9, 64, 4096]) {
      const decoded = decodeWalSegment(Buffer.concat([kept, Buffer.alloc(zeros)]));
      assert.equal(decoded.tail, "torn", `${zeros} zero bytes`);
      assert.deepEqual(decoded.frames.map(String), ["kept"]);
      assert.equal(decoded.validBytes, kept.length);
    }
    assert.equal(decodeWalSegment(Buffer.alloc(64)).tail, "torn");
  });

  it("still reports a bad frame followed by non-zero data as corruption", () => {
    const kept = segmentOf([Buffer.from("kept")]);
    const decoded = decodeWalSegment(Buffer.concat([kept, Buffer.alloc(12), Buffer.from("x")]));
    assert.equal(decoded.tail, "corrupt");
  });
});
