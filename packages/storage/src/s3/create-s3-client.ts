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
export async function createS3Client(options: ResolvedS3Options): Promise<S3ClientWithAgents> {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const ca = options.caFile ? [...rootCertificates, await readCaFile(options.caFile)] : undefined;
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent({ ...agentOptions, ...(ca ? { ca } : {}) });
  const client = new S3Client({
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
      httpAgent,
      httpsAgent,
    },
  });
  return { client, agents: [httpAgent, httpsAgent] };
}

/** The SDK client and the connection agents it uses (for connection counts). */
export interface S3ClientWithAgents {
  readonly client: S3Client;
  readonly agents: readonly HttpAgent[];
}

/** Sockets with a request on them (active) and kept-alive sockets waiting for one (idle). */
export interface ConnectionCounts {
  readonly active: number;
  readonly idle: number;
}

/** Counts the sockets of `agents` across every host they connect to. */
export function countConnections(agents: readonly HttpAgent[]): ConnectionCounts {
  const count = (sockets: NodeJS.ReadOnlyDict<unknown[]>) =>
    Object.values(sockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  let active = 0;
  let idle = 0;
  for (const agent of agents) {
    active += count(agent.sockets);
    idle += count(agent.freeSockets);
  }
  return { active, idle };
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
