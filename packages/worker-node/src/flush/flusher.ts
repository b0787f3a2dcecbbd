import { randomUUID } from "node:crypto";
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  dataFileKey,
  MiniodbError,
  type DataFile,
  type MetadataStore,
  type ObjectStore,
} from "@miniodb/core";
import type { RowLines } from "../buffer/row-lines.js";
import type { TableState } from "../ingest/table-state.js";
import type { ParquetWriter } from "./parquet-writer-port.js";

export interface FlusherOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  readonly writer: ParquetWriter;
  /** Scratch directory for NDJSON input and Parquet output files. */
  readonly scratchDirectory: string;
}

export interface FlushOutcome {
  readonly rows: number;
  readonly files: readonly DataFile[];
}

/**
 * Turns a table's buffered rows into one Parquet file per day partition, stores them, and commits
 * them to the manifest in one atomic step. Only after the commit are the rows released from the
 * buffer; on any failure they go back into it (and files of a table that is gone are deleted).
 */
export class Flusher {
  readonly #options: FlusherOptions;

  constructor(options: FlusherOptions) {
    this.#options = options;
  }

  async flush(state: TableState, nowMs: number): Promise<FlushOutcome> {
    if (state.buffer.rowCount === 0) return { rows: 0, files: [] };
    await this.#requireIncarnation(state);
    const snapshot = state.buffer.take();
    if (!snapshot) return { rows: 0, files: [] };
    try {
      const files: DataFile[] = [];
      for (const [partition, lines] of snapshot.byPartition) {
        files.push(await this.#writeFile(state, partition, lines));
      }
      snapshot.progress.fileKeys = files.map((file) => file.key);
      const version = await this.#commit(state.entry.name, files);
      state.buffer.commit(snapshot, version);
      return { rows: snapshot.rowCount, files };
    } catch (error) {
      state.buffer.restore(snapshot, nowMs);
      throw error;
    }
  }

  /**
   * The manifest belongs to the table's name, so rows of an incarnation the store no longer holds
   * (deleted, or lost and created again) must not be committed into another incarnation's.
   */
  async #requireIncarnation(state: TableState): Promise<void> {
    const { name, createdAt } = state.entry;
    const entry = await this.#options.metadata.getTable(name);
    if (entry?.createdAt.getTime() !== createdAt.getTime())
      throw new MiniodbError("not_found", `table ${name} (created ${createdAt.toISOString()}) is gone`, {
        details: { table: name },
      });
  }

  /**
   * Commits the files to the manifest. A commit can fail after it was applied (a timeout on the
   * reply): then the manifest already lists the files, and putting the rows back in the buffer
   * would count them twice. The manifest is read again to tell the two cases apart.
   */
  async #commit(table: string, files: readonly DataFile[]): Promise<number> {
    const { metadata } = this.#options;
    try {
      return await metadata.commitManifest(table, { add: files });
    } catch (error) {
      const manifest = await metadata.getManifest(table).catch(() => undefined);
      if (manifest && manifest.files.some((file) => file.key === files[0]!.key)) return manifest.version;
      // The table is gone, so the files were not committed: they would only be orphans.
      if (manifest && MiniodbError.is(error, "not_found"))
        await Promise.all(files.map((file) => this.#options.objects.delete(file.key).catch(() => undefined)));
      throw error;
    }
  }

  async #writeFile(state: TableState, partition: string, lines: RowLines): Promise<DataFile> {
    const { scratchDirectory, writer, objects, nodeId } = this.#options;
    const base = join(scratchDirectory, `${state.entry.name}-${partition}-${randomUUID()}`);
    const inputPath = `${base}.ndjson`;
    const outputPath = `${base}.parquet`;
    try {
      await writeRowLines(inputPath, lines);
      const schema = state.schema;
      const stats = await writer.write({ inputPath, columns: schema.columns, outputPath });
      const key = dataFileKey({ table: state.entry.name, partition, nodeId, sequence: stats.minSequence });
      const stored = await objects.put(key, await readFile(outputPath));
      return {
        key,
        partition,
        etag: stored.etag,
        sizeBytes: stored.size,
        rowCount: stats.rowCount,
        minTimestamp: stats.minTimestamp,
        maxTimestamp: stats.maxTimestamp,
        minId: stats.minId,
        maxId: stats.maxId,
        schemaVersion: schema.version,
        minSequence: stats.minSequence,
        maxSequence: stats.maxSequence,
        nodeId,
        createdAt: new Date(),
      };
    } finally {
      await Promise.all([rm(inputPath, { force: true }), rm(outputPath, { force: true })]);
    }
  }
}

async function writeRowLines(path: string, lines: RowLines): Promise<void> {
  const handle = await open(path, "w");
  try {
    for (const piece of lines.ndjson()) {
      for (let written = 0; written < piece.length;)
        written += (await handle.write(piece, written)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
