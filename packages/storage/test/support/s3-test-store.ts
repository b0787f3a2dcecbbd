import { randomUUID } from "node:crypto";
import { S3ObjectStore } from "../../src/s3/s3-object-store.js";
import type { S3ObjectStoreOptions } from "../../src/s3/s3-object-store-options.js";
import { S3rverProcess } from "../../src/testing/s3rver-process.js";

/**
 * A real MinIO (or any S3 server) to run the S3 suite against instead of s3rver, e.g.
 *
 *     MINIODB_TEST_S3_ENDPOINT=http://127.0.0.1:9000 MINIODB_TEST_S3_ACCESS_KEY=minioadmin \
 *     MINIODB_TEST_S3_SECRET_KEY=minioadmin MINIODB_TEST_S3_BUCKET=miniodb-test npm test
 *
 * Optional: MINIODB_TEST_S3_REGION, MINIODB_TEST_S3_CA_FILE. Each suite writes under its own random
 * key prefix in that bucket, so runs do not see each other's objects.
 */
export function externalS3Options(): S3ObjectStoreOptions | undefined {
  const env = process.env;
  const endpoint = env["MINIODB_TEST_S3_ENDPOINT"];
  if (!endpoint) return undefined;
  return {
    endpoint,
    accessKeyId: env["MINIODB_TEST_S3_ACCESS_KEY"] ?? "minioadmin",
    secretAccessKey: env["MINIODB_TEST_S3_SECRET_KEY"] ?? "minioadmin",
    bucket: env["MINIODB_TEST_S3_BUCKET"] ?? "miniodb-test",
    keyPrefix: `test-${randomUUID()}/`,
    ...(env["MINIODB_TEST_S3_REGION"] ? { region: env["MINIODB_TEST_S3_REGION"] } : {}),
    ...(env["MINIODB_TEST_S3_CA_FILE"] ? { caFile: env["MINIODB_TEST_S3_CA_FILE"] } : {}),
  };
}

/**
 * s3rver writes each PUT straight into the object's file, so concurrent PUTs of one key can
 * interleave; S3 and MinIO replace objects atomically. Run the suite against MinIO (see above) to
 * check atomicity of S3ObjectStore.
 */
export const S3RVER_NOT_ATOMIC =
  "s3rver overwrites objects in place; atomicity is checked against MinIO only";

/** Client options for an s3rver: its fixed credentials, and fast retries so tests stay short. */
export function s3rverOptions(
  server: S3rverProcess,
  overrides: Partial<S3ObjectStoreOptions> = {},
): S3ObjectStoreOptions {
  return {
    endpoint: server.endpoint,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    bucket: "miniodb-test",
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 5_000,
    retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
    ...overrides,
  };
}

/** An S3ObjectStore on the external server when configured, else on a fresh s3rver process. */
export async function openTestS3Store(overrides: Partial<S3ObjectStoreOptions> = {}): Promise<{
  store: S3ObjectStore;
  server?: S3rverProcess;
  dispose: () => Promise<void>;
  nonAtomicServer?: string;
}> {
  const external = externalS3Options();
  if (external)
    return { store: await S3ObjectStore.create({ ...external, ...overrides }), dispose: async () => {} };
  const server = await S3rverProcess.start();
  const store = await S3ObjectStore.create(s3rverOptions(server, overrides));
  return { store, server, dispose: () => server.dispose(), nonAtomicServer: S3RVER_NOT_ATOMIC };
}
