import { join } from "node:path";

/**
 * What lives under `node.data_dir` in the all-in-one mode:
 *
 *     metadata.db    embedded metadata store (SQLite, with its -wal/-shm files)
 *     objects/       local-disk object store (Parquet files, backups)
 *     wal/           the worker's write-ahead log segments
 *     scratch/       temporary flush files (emptied at start)
 *     cache/         the only directory queries can read (emptied at start):
 *       objects/       local copies of data files
 *       queries/       per-query files (unflushed rows, tombstones)
 *       results/       materialised results behind QueryData cursors
 *       live-rows.duckdb  tables of the live rows of files updates touched (see LiveRowTables)
 */
export function dataLayout(dataDir: string) {
  return {
    metadataFile: join(dataDir, "metadata.db"),
    objectsDirectory: join(dataDir, "objects"),
    walDirectory: join(dataDir, "wal"),
    scratchDirectory: join(dataDir, "scratch"),
    queryCacheDirectory: join(dataDir, "cache"),
    fileCacheDirectory: join(dataDir, "cache", "objects"),
    queryScratchDirectory: join(dataDir, "cache", "queries"),
    resultsDirectory: join(dataDir, "cache", "results"),
    liveRowsDatabase: join(dataDir, "cache", "live-rows.duckdb"),
  };
}
