import { MiniodbError, parseDataFileKey } from "@miniodb/core";
import { S3ObjectStore } from "@miniodb/storage";
import type { S3rverProcess } from "@miniodb/storage/testing";

/** One data file in a bucket: its key, size and the node that wrote it. */
export interface StoredDataFile {
  readonly key: string;
  readonly size: number;
  readonly nodeId: string;
  readonly table: string;
}

/**
 * The data files (`data/<table>/…parquet`) an S3 server holds in `bucket`, listed over the S3 API.
 * A bucket that does not exist yet holds none.
 */
export async function storedDataFiles(server: S3rverProcess, bucket: string): Promise<StoredDataFile[]> {
  const store = await S3ObjectStore.create({
    endpoint: server.endpoint,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    createBucket: false,
  });
  const files: StoredDataFile[] = [];
  try {
    for await (const object of store.list("data/")) {
      const parsed = parseDataFileKey(object.key);
      files.push({ key: object.key, size: object.size, nodeId: parsed.nodeId, table: parsed.table });
    }
  } catch (error) {
    if (!(error instanceof MiniodbError && error.code === "failed_precondition")) throw error;
  } finally {
    await store.close();
  }
  return files;
}
