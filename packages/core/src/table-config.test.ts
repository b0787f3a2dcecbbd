import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "./miniodb-error.js";
import { DEFAULT_TABLE_CONFIG, normalizeTableConfig } from "./table-config.js";

describe("normalizeTableConfig", () => {
  it("fills zero and empty fields from the defaults, keeping everything given", () => {
    const config = normalizeTableConfig({
      bufferSize: 0,
      flushIntervalSeconds: 15,
      retentionDays: 7,
      backupEnabled: true,
      properties: { owner: "team-a" },
      idStrategy: "snowflake",
      idPrefix: "evt_",
      autoGenerateId: false,
      idValidation: { maxLength: 40, pattern: "evt_[0-9]+" },
    });
    assert.equal(config.bufferSize, DEFAULT_TABLE_CONFIG.bufferSize);
    assert.equal(config.flushIntervalSeconds, 15);
    assert.equal(config.retentionDays, 7);
    assert.equal(config.backupEnabled, true);
    assert.deepEqual(config.properties, { owner: "team-a" });
    assert.equal(config.idStrategy, "snowflake");
    assert.equal(config.idPrefix, "evt_");
    assert.equal(config.autoGenerateId, false);
    assert.deepEqual(config.idValidation, { maxLength: 40, pattern: "evt_[0-9]+" });
  });

  it("uses the defaults for an empty config", () => {
    assert.deepEqual(normalizeTableConfig({ idStrategy: "" as never }), { ...DEFAULT_TABLE_CONFIG });
  });

  it("reports every invalid field at once", () => {
    assert.throws(
      () =>
        normalizeTableConfig({
          bufferSize: -5,
          flushIntervalSeconds: 1e9,
          retentionDays: -1,
          idStrategy: "random" as never,
          idPrefix: "bad prefix",
          idValidation: { pattern: "(" },
        }),
      (error: unknown) => {
        assert.ok(MiniodbError.is(error, "invalid_argument"));
        for (const field of [
          "buffer_size",
          "flush_interval_seconds",
          "retention_days",
          "id_strategy",
          "id_prefix",
          "id_validation",
        ]) {
          assert.ok(error.message.includes(field), `${field} missing from ${error.message}`);
        }
        return true;
      },
    );
  });
});
