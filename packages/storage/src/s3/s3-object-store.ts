import type { Agent as HttpAgent } from "node:http";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { ByteRange, ObjectInfo, ObjectStore } from "@miniodb/core";
import { MiniodbError } from "@miniodb/core";
import { checkObjectKey } from "../object-key-path.js";
import { withRetry } from "../with-retry.js";
import { countConnections, createS3Client, type ConnectionCounts } from "./create-s3-client.js";
import { ensureBucket } from "./ensure-bucket.js";
import { fromS3Error } from "./errors.js";
import {
  resolveS3Options,
  S3_MIN_PART_SIZE,
  type ResolvedS3Options,
  type S3ObjectStoreOptions,
} from "./s3-object-store-options.js";
import { s3Range } from "./s3-range.js";

/**
 * An ObjectStore on an S3-compatible server (MinIO, AWS S3, s3rver in tests).
 *
 * S3 writes are atomic per object, which is what the port promises. Every call is retried on
 * retryable errors and translated by `fromS3Error`. The bucket is checked (and created when
 * allowed) on first use rather than in `create`, so a store whose server is down at start-up can
 * still be built, which a PrimaryBackupPool needs to start on its backup.
 */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #options: ResolvedS3Options;
  readonly #agents: readonly HttpAgent[];
  #bucketReady: Promise<void> | undefined;

  private constructor(client: S3Client, agents: readonly HttpAgent[], options: ResolvedS3Options) {
    this.#client = client;
    this.#agents = agents;
    this.#options = options;
    this.bucket = options.bucket;
  }

  static async create(options: S3ObjectStoreOptions): Promise<S3ObjectStore> {
    const resolved = resolveS3Options(options);
    if (resolved.multipartPartSizeBytes < S3_MIN_PART_SIZE) {
      throw new MiniodbError(
        "invalid_argument",
        `multipartPartSizeBytes must be at least ${S3_MIN_PART_SIZE}`,
      );
    }
    const { client, agents } = await createS3Client(resolved);
    return new S3ObjectStore(client, agents, resolved);
  }

  /** HTTP connections to the server now: busy with a request, or kept alive and idle. */
  connections(): ConnectionCounts {
    return countConnections(this.#agents);
  }

  async put(key: string, body: Uint8Array): Promise<ObjectInfo> {
    const Key = this.#s3Key(key);
    const etag = await this.#call(key, async () => {
      if (body.length < this.#options.multipartThresholdBytes) {
        const { ETag } = await this.#client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key, Body: body }),
        );
        return ETag;
      }
      const upload = new Upload({
        client: this.#client,
        params: { Bucket: this.bucket, Key, Body: body },
        partSize: this.#options.multipartPartSizeBytes,
        queueSize: this.#options.multipartConcurrency,
        leavePartsOnError: false,
      });
      return (await upload.done()).ETag;
    });
    // PUT answers no modification time: ask for it, unless a concurrent writer replaced the object.
    const info = await this.head(key);
    if (info && info.etag === unquote(etag)) return info;
    return { key, size: body.length, etag: unquote(etag), lastModified: new Date() };
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    const Key = this.#s3Key(key);
    const header = s3Range(range);
    if (header === "empty") {
      if (!(await this.head(key))) throw new MiniodbError("not_found", `object ${key} does not exist`);
      return new Uint8Array();
    }
    return this.#call(key, async () => {
      try {
        const response = await this.#client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key,
            ...(header === "whole" ? {} : { Range: header }),
          }),
        );
        return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        // A range that starts at or past the end: the port answers the empty tail, like a file read.
        if ((error as { name?: string }).name === "InvalidRange") return new Uint8Array();
        throw error;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.#s3Key(key);
    try {
      return await this.#call(key, async () => {
        const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return infoOf(key, response.ContentLength, response.ETag, response.LastModified);
      });
    } catch (error) {
      if (MiniodbError.is(error, "not_found")) return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const storePrefix = this.#options.keyPrefix;
    let token: string | undefined;
    do {
      const page = await this.#call(prefix, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: storePrefix + prefix,
            MaxKeys: this.#options.listPageSize,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        yield infoOf(item.Key.slice(storePrefix.length), item.Size, item.ETag, item.LastModified);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    const Key = this.#s3Key(key);
    await this.#call(key, () => this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })));
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  #s3Key(key: string): string {
    return this.#options.keyPrefix + checkObjectKey(key);
  }

  /** Runs one request after the bucket check, with retries and error translation. */
  async #call<T>(key: string, request: () => Promise<T>): Promise<T> {
    const translate = (error: unknown) => fromS3Error(error, key);
    await withRetry(() => this.#ensureBucket(), translate, this.#options.retry);
    return withRetry(request, translate, this.#options.retry);
  }

  /** Checks the bucket once; a failed check is forgotten so that the next call tries again. */
  #ensureBucket(): Promise<void> {
    this.#bucketReady ??= ensureBucket(this.#client, this.bucket, this.#options.createBucket).catch(
      (error) => {
        this.#bucketReady = undefined;
        throw error;
      },
    );
    return this.#bucketReady;
  }
}

function infoOf(
  key: string,
  size: number | undefined,
  etag: string | undefined,
  modified: Date | undefined,
): ObjectInfo {
  return { key, size: size ?? 0, etag: unquote(etag), lastModified: modified ?? new Date(0) };
}

/** S3 quotes ETags (`"abc"`); the port's etag is opaque, so keep just the value. */
function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}
