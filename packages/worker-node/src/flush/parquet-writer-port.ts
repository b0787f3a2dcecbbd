import type { ParquetFileWriter } from "@miniodb/executor";

/** What a flush needs of the Parquet writer: the executor's ParquetFileWriter, or a test double. */
export type ParquetWriter = Pick<ParquetFileWriter, "write">;
