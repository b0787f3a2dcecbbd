import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";

const ALREADY_THERE = new Set(["BucketAlreadyOwnedByYou", "BucketAlreadyExists"]);

/**
 * Makes sure `bucket` exists, creating it when `create` is set. A bucket that another process
 * created meanwhile counts as existing. Errors are left untranslated for the caller's table.
 */
export async function ensureBucket(client: S3Client, bucket: string, create: boolean): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 || !create) throw status === 404 ? noSuchBucket(error) : error;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!ALREADY_THERE.has((error as { name?: string }).name ?? "")) throw error;
  }
}

/** HeadBucket answers a bare 404 ("NotFound"), which would read as a missing object. */
function noSuchBucket(cause: unknown): Error {
  return Object.assign(new Error(`bucket does not exist`, { cause }), { name: "NoSuchBucket" });
}
