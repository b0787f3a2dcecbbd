import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HybridClock, sequenceMillis } from "./hybrid-clock.js";

describe("HybridClock", () => {
  it("follows wall-clock time", () => {
    let now = 1_700_000_000_000;
    const clock = new HybridClock(() => now);
    const first = clock.next();
    assert.equal(sequenceMillis(first), now);
    now += 5;
    assert.equal(sequenceMillis(clock.next()), now);
  });

  it("stays strictly increasing when the clock stalls or steps back", () => {
    let now = 1_700_000_000_000;
    const clock = new HybridClock(() => now);
    const seen = [clock.next(), clock.next()];
    now -= 10_000;
    seen.push(clock.next(), clock.next());
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!);
  });

  it("advances past observed sequences and reserves ranges", () => {
    const clock = new HybridClock(() => 1_000);
    clock.observe(1n << 60n);
    const first = clock.nextRange(100);
    assert.equal(first, (1n << 60n) + 1n);
    assert.equal(clock.next(), first + 100n);
  });
});
