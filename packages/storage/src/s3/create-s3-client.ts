import { readFile } from "node:fs/promises";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { S3Client } from "@aws-sdk/client-s3";
import { MiniodbError } from "@miniodb/core";
import type { ResolvedS3Options } from "./s3-object-store-options.js";

/**
 * Builds the SDK client for an S3ObjectStore.
 *
 * The SDK's own retries are off (`maxAttempts: 1`): the store retries through `withRetry`, so one
 * error table decides what is retried and the backoff is the same for every call, multipart
 * uploads included. Checksums are computed only when an operation requires them, because MinIO
 * versions and other S3-compatible servers differ in which of the newer checksum headers they
 * accept.
 */
export async function createS3Client(options: ResolvedS3Options): Promise<S3Client> {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const ca = options.caFile ? [...rootCertificates, await readCaFile(options.caFile)] : undefined;
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    },
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent({ ...agentOptions, ...(ca ? { ca } : {}) }),
    },
  });
}

async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new MiniodbError("invalid_argument", `cannot read the object store's CA file ${path}`, {
      cause: error,
    });
  }
}
