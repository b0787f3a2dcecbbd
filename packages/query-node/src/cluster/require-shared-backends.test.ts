import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { loadConfig } from "../config/load-config.js";
import { requireSharedBackends } from "./require-shared-backends.js";

describe("requireSharedBackends", () => {
  it("refuses a cluster role on the embedded stores, naming what to configure", () => {
    const config = loadConfig({ flags: { "node.role": "worker" } });
    assert.throws(
      () => requireSharedBackends(config),
      (error: unknown) =>
        MiniodbError.is(error, "failed_precondition") &&
        /node\.role worker needs backends shared by every node/.test(error.message) &&
        /metadata\.backend must be redis/.test(error.message) &&
        /storage\.backend must be s3/.test(error.message),
    );
  });

  it("accepts Redis and S3", () => {
    const config = loadConfig({
      env: {
        REDIS_HOST: "127.0.0.1",
        MINIO_ENDPOINT: "http://127.0.0.1:9000",
        MINIO_BUCKET: "miniodb",
        MINIO_ACCESS_KEY_ID: "key",
        MINIO_SECRET_ACCESS_KEY: "secret",
      },
      flags: { "node.role": "query" },
    });
    requireSharedBackends(config);
  });
});
