import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fastRfc3339Micros } from "./rfc3339-fast-path.js";

/** The general parser's reading (pattern + Date.parse), the reference for the fast path. */
function generalMicros(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(
    text,
  );
  const millis = match ? Date.parse(`${match[1]}T${match[2]}${match[4]!.toUpperCase()}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) return undefined;
  return millis * 1000 + Number((match[3] ?? "").padEnd(6, "0").slice(0, 6) || "0");
}

const number = (width: number, max: number) =>
  fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"));
const timestamp = fc
  .record({
    year: fc.oneof(number(4, 9999), fc.constantFrom("0999", "1000", "1970", "2026", "9999", "20x6")),
    month: fc.oneof(number(2, 13), fc.constantFrom("00", "02", "12", "1")),
    day: fc.oneof(number(2, 32), fc.constantFrom("00", "28", "29", "30", "31")),
    hour: fc.oneof(number(2, 25), fc.constantFrom("23", "24")),
    minute: number(2, 61),
    second: number(2, 61),
    separator: fc.constantFrom("T", "t", " ", "_"),
    fraction: fc.oneof(fc.constant(""), fc.stringMatching(/^\.[0-9]{0,11}$/), fc.constant(".5a")),
    zone: fc.oneof(
      fc.constantFrom("Z", "z", "", "+00:00", "-00:00", "+24:00", "+05:60", "+0530", "ZZ", "+05:30x"),
      fc.tuple(fc.constantFrom("+", "-"), number(2, 25), number(2, 61)).map(([s, h, m]) => `${s}${h}:${m}`),
    ),
  })
  .map(
    (t) =>
      `${t.year}-${t.month}-${t.day}${t.separator}${t.hour}:${t.minute}:${t.second}${t.fraction}${t.zone}`,
  );

describe("fastRfc3339Micros", () => {
  it("reads what it takes exactly as the general parser does, and takes the usual forms", () => {
    let taken = 0;
    fc.assert(
      fc.property(timestamp, (text) => {
        const fast = fastRfc3339Micros(text);
        if (fast === undefined) return;
        taken++;
        assert.equal(fast, generalMicros(text), text);
      }),
      { numRuns: 20_000 },
    );
    assert.ok(taken > 300, `the fast path took only ${taken} timestamps`);
    for (const text of [
      "2026-11-01T00:00:00.000Z",
      "2026-11-27T09:05:17.123456Z",
      "2026-02-03 04:05:06+02:00",
      "2026-02-03t04:05:06.1-11:30",
    ])
      assert.equal(fastRfc3339Micros(text), generalMicros(text), text);
  });

  it("leaves later days, leap seconds and other forms to the general parser", () => {
    for (const text of [
      "2024-02-29T00:00:00Z",
      "2026-01-31T00:00:00Z",
      "2026-01-01T23:59:60Z",
      "0999-01-01T00:00:00Z",
      "2026-01-01T00:00:00",
      "2026-01-01T00:00:00.Z",
      "2026-01-01T00:00:00.1234567890Z",
      "2026-01-01T00:00:00+0100",
    ])
      assert.equal(fastRfc3339Micros(text), undefined, text);
  });
});
