import { join } from "node:path";

/**
 * What lives under `node.data_dir` in the all-in-one mode:
 *
 *     metadata.db    embedded metadata store (SQLite, with its -wal/-shm files)
 *     objects/       local-disk object store (Parquet files, backups)
 *     wal/           the worker's write-ahead log segments
 *     scratch/       temporary flush files (emptied at start)
 */
export function dataLayout(dataDir: string) {
  return {
    metadataFile: join(dataDir, "metadata.db"),
    objectsDirectory: join(dataDir, "objects"),
    walDirectory: join(dataDir, "wal"),
    scratchDirectory: join(dataDir, "scratch"),
  };
}
