import { mkdir, rm } from "node:fs/promises";
import type { DataFile, MetadataStore } from "@miniodb/core";
import { MiniodbError } from "@miniodb/core";
import { quoteSqlIdentifier, quoteSqlLiteral, type EngineSession } from "@miniodb/executor";
import { noteRequest } from "../observability/request-context.js";
import { columnsByVersion, readTableSnapshot, type TableSnapshot } from "../services/query-sources.js";
import type { QueryScatter, ScatteredQuery, ScatterRequest } from "../services/query-scatter.js";
import { captureWorkerBuffers, type WorkerCapture } from "./cluster-buffers.js";
import type { ClusterMembership } from "./cluster-membership.js";
import { assignFilesByBytes } from "./file-assignment.js";
import {
  dispatchFragments,
  type FragmentInput,
  type FragmentOutput,
  type FragmentPart,
} from "./fragment-dispatch.js";
import { aggregateFunctionNames } from "./plan/aggregate-functions.js";
import { planFragments, PARTIALS_VIEW } from "./plan/fragment-planner.js";
import type { Node } from "./plan/parse-nodes.js";
import type { WorkerClients } from "./worker-clients.js";

export interface ClusterQueryScatterOptions {
  readonly metadata: MetadataStore;
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  readonly now?: () => number;
}

type Snapshot = TableSnapshot<WorkerCapture[]>;

/**
 * A query node's distributed reads. For each table: tombstones, a capture of every live worker's
 * buffer, the manifest (readTableSnapshot); the query is planned (planFragments); each table's
 * files are assigned to the captured workers balanced by bytes and every worker runs the fragment
 * over its files and its own capture; the results come back as Parquet files and the session gets
 * views over them: the tables themselves (rows shipped) or the partial aggregates to merge.
 */
export class ClusterQueryScatter implements QueryScatter {
  readonly #options: ClusterQueryScatterOptions;
  #aggregateNames: Promise<Set<string>> | undefined;

  constructor(options: ClusterQueryScatterOptions) {
    this.#options = options;
  }

  /** Undefined when no worker is registered: the query node then reads the files itself. */
  async open(session: EngineSession, request: ScatterRequest): Promise<ScatteredQuery | undefined> {
    const { metadata, membership, clients } = this.#options;
    if ((await membership.refresh()).length === 0) return undefined;
    const aggregates = await (this.#aggregateNames ??= aggregateFunctionNames(session));
    const now = this.#options.now?.() ?? Date.now();
    const snapshots = await Promise.all(
      request.tables.map((read) =>
        readTableSnapshot(metadata, read, (table) => captureWorkerBuffers(membership, clients, table), now),
      ),
    );
    const plan = await planFragments(
      session,
      request.tree as Node,
      request.sql,
      snapshots.map((snapshot) => ({ name: snapshot.table.name, columns: snapshot.schema.columns })),
      aggregates,
    );
    noteRequest({ filesScanned: snapshots.reduce((sum, snapshot) => sum + snapshot.files.length, 0) });
    await mkdir(request.directory, { recursive: true });
    const views: string[] = [];
    const close = async () => {
      if (views.length > 0)
        await session
          .run(views.map((view) => `DROP VIEW IF EXISTS ${quoteSqlIdentifier(view)}`).join(";\n"))
          .catch(() => undefined);
      await rm(request.directory, { recursive: true, force: true });
    };
    try {
      const work =
        plan.kind === "aggregate"
          ? [
              {
                view: PARTIALS_VIEW,
                sql: plan.workerSql,
                snapshot: snapshots.find((s) => s.table.name === plan.table)!,
              },
            ]
          : snapshots.map((snapshot) => ({
              view: snapshot.table.name,
              sql: plan.workerSql.get(snapshot.table.name)!,
              snapshot,
            }));
      // Every table's fragments run before any view is made; the first failure fails the query.
      const results = await Promise.all(
        work.map(async (item) => ({
          view: item.view,
          outputs: await this.#scatter(item.snapshot, item.sql, request.directory),
        })),
      );
      for (const { view, outputs } of results) {
        views.push(view);
        await session.run(outputsView(view, outputs));
      }
      return { statement: plan.statement, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  /** Runs `sql` over the table on every captured worker, the files split between them by bytes. */
  async #scatter(snapshot: Snapshot, sql: string, directory: string): Promise<FragmentOutput[]> {
    const { metadata, membership, clients } = this.#options;
    const captures = snapshot.captured;
    if (captures.length === 0) {
      throw new MiniodbError(
        "unavailable",
        "no worker node is registered to read the data; retry once one is up",
      );
    }
    const byWorker = new Map(captures.map((capture) => [capture.worker.id, capture]));
    const assigned = assignFilesByBytes(snapshot.files, [...byWorker.keys()]);
    const parts: FragmentPart<DataFile>[] = [...assigned].map(([id, files]) => ({
      worker: byWorker.get(id)!.worker,
      files,
      capture: byWorker.get(id),
    }));
    const schemas = await columnsByVersion(metadata, snapshot.table.name, snapshot.files, snapshot.schema);
    return dispatchFragments(parts, {
      clients,
      sql,
      directory,
      inputOf: (part) => fragmentInput(snapshot, part, schemas),
      liveWorkers: () => membership.refresh(),
    });
  }
}

/** What one worker gets of a table: its files with their schema versions, tombstones, its capture. */
function fragmentInput(
  snapshot: Snapshot,
  part: FragmentPart<DataFile>,
  schemas: ReadonlyMap<number, readonly { name: string; type: string }[]>,
): FragmentInput {
  const { table, tombstones, manifest, schema } = snapshot;
  const versions = new Set(part.files.map((file) => file.schemaVersion));
  return {
    table: table.name,
    files: part.files.map((file) => ({
      objectKey: file.key,
      etag: file.etag,
      sizeBytes: BigInt(file.sizeBytes),
      schemaVersion: file.schemaVersion,
      tombstoned: tombstones.size > 0 && tombstones.touches(file),
      rowCount: BigInt(file.rowCount),
    })),
    columns: schema.columns.map((column) => ({ name: column.name, type: column.type })),
    schemas: [...versions].map((version) => ({
      version,
      columns: (schemas.get(version) ?? []).map((column) => ({ name: column.name, type: column.type })),
    })),
    tombstones: tombstones.entries().map((tombstone) => ({ id: tombstone.id, sequence: tombstone.sequence })),
    captureId: part.capture?.captureId ?? "",
    manifestVersion: BigInt(manifest.version),
    manifestKeys: part.capture
      ? manifest.files.filter((file) => file.nodeId === part.worker.id).map((file) => file.key)
      : [],
    ...(snapshot.minTimestamp === undefined
      ? {}
      : { minTimestampMicros: BigInt(Math.trunc(snapshot.minTimestamp)) }),
  };
}

/** A view over the fragments' Parquet files, each column cast back to the type the worker reported. */
function outputsView(view: string, outputs: readonly FragmentOutput[]): string {
  if (outputs.length === 0) {
    throw new MiniodbError("unavailable", "no worker answered the query; retry once one is up");
  }
  const selections = outputs[0]!.columns.map((column) => {
    const name = quoteSqlIdentifier(column.name);
    return `CAST(${name} AS ${column.type}) AS ${name}`;
  });
  const files = outputs.map((output) => quoteSqlLiteral(output.path)).join(", ");
  return `CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(view)} AS SELECT ${selections.join(", ")} FROM read_parquet([${files}])`;
}
