import type { ColumnDef } from "@miniodb/core";

/** Stats of a written Parquet file, computed by the writer. Timestamps in epoch µs. */
export interface WrittenFileStats {
  readonly rowCount: number;
  readonly sizeBytes: number;
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  readonly minId: string;
  readonly maxId: string;
  readonly minSequence: bigint;
  readonly maxSequence: bigint;
}

/** What a flush needs from the Parquet writer (the executor's ParquetFileWriter). */
export interface ParquetWriter {
  write(options: {
    inputPath: string;
    columns: readonly ColumnDef[];
    outputPath: string;
  }): Promise<WrittenFileStats>;
}
