import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retentionCutoff } from "./retention.js";

describe("retentionCutoff", () => {
  it("is retention_days before now, in epoch µs, and absent for 0", () => {
    const now = Date.UTC(2026, 10, 26, 12);
    assert.equal(retentionCutoff({ retentionDays: 0 }, now), undefined);
    assert.equal(retentionCutoff({ retentionDays: 2 }, now), Date.UTC(2026, 10, 24, 12) * 1000);
  });
});
