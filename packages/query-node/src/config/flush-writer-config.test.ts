import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { flushWriterLimits } from "./flush-writer-config.js";
import { loadConfig } from "./load-config.js";

describe("flushWriterLimits", () => {
  it("bounds the flush writer by default: 512MB and one thread", () => {
    assert.deepEqual(flushWriterLimits(loadConfig()), { memoryLimit: "512MB", threads: 1 });
  });

  it("takes worker.flush_memory_limit and worker.flush_threads from the environment", () => {
    const config = loadConfig({
      env: { MINIODB_WORKER__FLUSH_MEMORY_LIMIT: "1.5GB", MINIODB_WORKER__FLUSH_THREADS: "2" },
    });
    assert.deepEqual(flushWriterLimits(config), { memoryLimit: "1.5GB", threads: 2 });
  });

  it("refuses a limit that is not a size and a thread count below one", () => {
    assert.throws(
      () =>
        loadConfig({
          env: { MINIODB_WORKER__FLUSH_MEMORY_LIMIT: "lots", MINIODB_WORKER__FLUSH_THREADS: "0" },
        }),
      (error: unknown) =>
        MiniodbError.is(error, "invalid_argument") &&
        error.message.includes("worker.flush_memory_limit") &&
        error.message.includes("worker.flush_threads"),
    );
  });
});
