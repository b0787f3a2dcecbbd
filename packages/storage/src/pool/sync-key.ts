import { MiniodbError, type ObjectStore } from "@miniodb/core";

/**
 * Makes `target` hold what `source` holds under `key`: a copy of the object, or no object.
 *
 * It always re-reads the source instead of trusting what the caller saw earlier, so a sync that
 * runs late (after a newer write, or after a delete) copies the newest state, and a key that was
 * deleted is deleted on the target too instead of being brought back.
 */
export async function syncKey(source: ObjectStore, target: ObjectStore, key: string): Promise<void> {
  let body: Uint8Array;
  try {
    body = await source.get(key);
  } catch (error) {
    if (!MiniodbError.is(error, "not_found")) throw error;
    await target.delete(key);
    return;
  }
  await target.put(key, body);
}
