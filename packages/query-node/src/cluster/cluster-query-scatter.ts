import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import type { DataFile, MetadataStore, TableEntry } from "@miniodb/core";
import { MiniodbError } from "@miniodb/core";
import { quoteSqlIdentifier, type EngineSession } from "@miniodb/executor";
import type { Tracer } from "@opentelemetry/api";
import { noteRequest } from "../observability/request-context.js";
import { inSpan } from "../observability/tracing/in-span.js";
import { columnsByVersion, readTableSnapshot, type TableSnapshot } from "../services/query-sources.js";
import type { QueryScatter, ScatteredQuery, ScatterRequest } from "../services/query-scatter.js";
import { captureWorkerBuffers, type WorkerCapture } from "./cluster-buffers.js";
import type { ClusterMembership } from "./cluster-membership.js";
import { assignFilesByBytes } from "./file-assignment.js";
import { fragmentOutputsView } from "./fragment-outputs-view.js";
import {
  dispatchFragments,
  type FragmentInput,
  type FragmentOutput,
  type FragmentPart,
} from "./fragment-dispatch.js";
import { aggregateFunctionNames } from "./plan/aggregate-functions.js";
import { FragmentPlanCache } from "./plan/fragment-plan-cache.js";
import {
  PARTIALS_VIEW,
  type AggregatePlan,
  type FragmentPlan,
  type RowsPlan,
  type StagedPlan,
} from "./plan/fragment-planner.js";
import { STAGE_MAX_ROWS, STAGE_MAX_TEXT_BYTES, stagedWorkerSql } from "./plan/staged-plan.js";
import { QueryCaptures } from "./query-captures.js";
import type { Node } from "./plan/parse-nodes.js";
import type { WorkerClients } from "./worker-clients.js";

export interface ClusterQueryScatterOptions {
  readonly metadata: MetadataStore;
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  /**
   * Largest fragment result (rows × columns) a worker sends inline as text rather than as a
   * Parquet file (cluster.inline_result_cells); 0: always Parquet.
   */
  readonly inlineResultCells: number;
  /** Records the phases of a query as spans: query.snapshot, query.plan, query.fragments, query.results. */
  readonly tracer?: Tracer | undefined;
  readonly now?: () => number;
}

type Snapshot = TableSnapshot<WorkerCapture[]>;

/** What a staged plan's stages run with; views and tables made on the session are added for close. */
interface StagesRun {
  readonly session: EngineSession;
  readonly snapshots: readonly Snapshot[];
  readonly captures: QueryCaptures;
  readonly directory: string;
  readonly views: string[];
  readonly tables: string[];
}

/** How long a staged plan whose stage held too much runs as rows shipped before it tries again. */
const STAGE_RETRY_MS = 60_000;

/**
 * Temporary tables holding larger inline results are named with this and a random suffix, so they
 * meet no table's view (table names start with a letter); a query's tables are dropped when it closes, before its connection serves
 * another query.
 */
const INLINE_TABLE_PREFIX = "__miniodb_inline_result_";

/**
 * A query node's distributed reads. For each table: the registry and tombstones, the manifest
 * (readTableSnapshot); the query is planned (planFragments, cached by FragmentPlanCache); each
 * table's files are assigned to the live workers balanced by bytes and every worker runs the
 * fragment over its files and its buffer, captured within the call (or, on the careful run, by
 * CaptureBuffer before the manifest read); the results come back inline (small ones) or as Parquet
 * files and the session gets views over them: the tables themselves (rows shipped) or the partial
 * aggregates to merge.
 */
export class ClusterQueryScatter implements QueryScatter {
  readonly #options: ClusterQueryScatterOptions;
  readonly #plans = new FragmentPlanCache();
  /**
   * The most rows one worker returned, by view, the last time a cached plan ran: what its
   * results are expected to hold next time, when the plan itself does not bound them.
   */
  readonly #observed = new WeakMap<FragmentPlan, ReadonlyMap<string, number>>();
  /** When a staged plan's stage last held too much to send to the workers. */
  readonly #stageOverflows = new WeakMap<StagedPlan, number>();
  #aggregateNames: Promise<Set<string>> | undefined;

  constructor(options: ClusterQueryScatterOptions) {
    this.#options = options;
  }

  /**
   * Undefined when no worker is registered: the query node then reads the files itself. Each
   * worker first captures its buffer within its fragment call (one round trip); when a worker
   * cannot (it committed rows after the manifest was read, or does not support it) or fails, the
   * query runs again with the captures taken first (two round trips, see readTableSnapshot).
   */
  async open(session: EngineSession, request: ScatterRequest): Promise<ScatteredQuery | undefined> {
    try {
      return await this.#open(session, request, true);
    } catch (error) {
      if (!(error instanceof MiniodbError) || !capturesFirstInstead(error)) throw error;
      return this.#open(session, request, false);
    }
  }

  async #open(
    session: EngineSession,
    request: ScatterRequest,
    captureInFragment: boolean,
  ): Promise<ScatteredQuery | undefined> {
    const { metadata, membership, clients } = this.#options;
    const now = this.#options.now?.() ?? Date.now();
    // One registry read for the query, made as it begins (a worker that acknowledged a write
    // before is in it), alongside the tombstone reads.
    const reading = membership.refresh();
    const capture = async (table: TableEntry): Promise<WorkerCapture[]> => {
      const workers = await reading;
      if (captureInFragment)
        return workers.map((worker) => ({ worker, captureId: "", rowCount: 0, inFragment: true }));
      return captureWorkerBuffers(membership, clients, table, workers);
    };
    const { tracer } = this.#options;
    const attributes = { "miniodb.tables": request.tables.map((read) => read.entry.name) };
    const snapshotting = inSpan(tracer, "query.snapshot", attributes, () =>
      Promise.all(request.tables.map((read) => readTableSnapshot(metadata, read, capture, now))),
    );
    snapshotting.catch(() => undefined);
    if ((await reading).length === 0) return undefined;
    const snapshots = await snapshotting;
    const plan = await inSpan(tracer, "query.plan", attributes, async () =>
      this.#plans.plan(
        session,
        request.tree as Node,
        request.sql,
        snapshots.map((snapshot) => ({ name: snapshot.table.name, columns: snapshot.schema.columns })),
        await (this.#aggregateNames ??= aggregateFunctionNames(session)),
      ),
    );
    noteRequest({ filesScanned: snapshots.reduce((sum, snapshot) => sum + snapshot.files.length, 0) });
    const views: string[] = [];
    const tables: string[] = [];
    const close = async () => {
      const drops = [
        ...views.map((view) => `DROP VIEW IF EXISTS ${quoteSqlIdentifier(view)}`),
        ...tables.map((table) => `DROP TABLE IF EXISTS ${quoteSqlIdentifier(table)}`),
      ];
      if (drops.length > 0) await session.run(drops.join(";\n")).catch(() => undefined);
      await rm(request.directory, { recursive: true, force: true });
    };
    try {
      let captures = new QueryCaptures(snapshots);
      let final: AggregatePlan | RowsPlan = plan.kind === "staged" ? plan.outer : plan;
      let stagedSql: string | undefined;
      // The careful run (captures taken first, after a failure) ships rows: a worker of an earlier
      // release would use up a capture the next round needs.
      if (plan.kind === "staged" && !captureInFragment) final = plan.fallback;
      else if (plan.kind === "staged") {
        const stages = { session, snapshots, captures, directory: request.directory, views, tables };
        stagedSql = await inSpan(tracer, "query.stages", attributes, () =>
          this.#runStages(plan, stages),
        ).catch((error: unknown) => {
          // A worker of an earlier release read its capture without keeping it: the query
          // runs as rows shipped, with captures of its own.
          if (!MiniodbError.is(error, "aborted") || error.details["reason"] !== "capture_not_kept")
            throw error;
          captures = new QueryCaptures(snapshots);
          return undefined;
        });
        if (stagedSql === undefined) {
          final = plan.fallback;
          captures.expectReads([]);
        }
      }
      const work =
        final.kind === "aggregate"
          ? [
              {
                view: PARTIALS_VIEW,
                sql: stagedSql ?? final.workerSql,
                expectedRows: final.workerRowsAtMost ?? this.#observed.get(final)?.get(PARTIALS_VIEW),
                snapshot: snapshotOf(snapshots, final.table),
              },
            ]
          : snapshots.map((snapshot) => ({
              view: snapshot.table.name,
              sql: final.workerSql.get(snapshot.table.name)!,
              expectedRows:
                final.workerRowsAtMost.get(snapshot.table.name) ??
                this.#observed.get(final)?.get(snapshot.table.name),
              snapshot,
            }));
      // Every table's fragments run before any view is made; the first failure fails the query.
      const results = await inSpan(tracer, "query.fragments", attributes, () =>
        Promise.all(
          work.map(async (item) => ({
            view: item.view,
            outputs: await this.#scatter(
              item.snapshot,
              item.sql,
              item.expectedRows,
              request.directory,
              captures,
            ),
          })),
        ),
      );
      this.#observe(final, results);
      for (const { view } of results) views.push(view);
      await inSpan(tracer, "query.results", attributes, () => this.#makeViews(session, results, tables));
      return { statement: final.statement, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  /**
   * Runs each stage of the plan in turn: its partial aggregates on the workers, merged here and
   * read back as text; the outer statement's worker SQL with the results as CTEs, or undefined
   * when a result is too large to send to every worker (the fallback plan runs instead).
   */
  async #runStages(plan: StagedPlan, run: StagesRun): Promise<string | undefined> {
    const { session, snapshots, captures, directory } = run;
    const overflowed = this.#stageOverflows.get(plan);
    if (overflowed !== undefined && (this.#options.now?.() ?? Date.now()) - overflowed < STAGE_RETRY_MS)
      return undefined;
    captures.expectReads(plan.stages.map((stage) => stage.plan.table).concat(plan.outer.table));
    const results: (string | null)[][][] = [];
    for (const stage of plan.stages) {
      const expectedRows = stage.plan.workerRowsAtMost ?? this.#observed.get(stage.plan)?.get(PARTIALS_VIEW);
      const snapshot = snapshotOf(snapshots, stage.plan.table);
      const outputs = await this.#scatter(snapshot, stage.plan.workerSql, expectedRows, directory, captures);
      this.#observe(stage.plan, [{ view: PARTIALS_VIEW, outputs }]);
      run.views.push(PARTIALS_VIEW);
      const inline = await this.#makeViews(session, [{ view: PARTIALS_VIEW, outputs }], run.tables);
      const { values, rowCount } = await session.readColumns(
        `SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (${stage.plan.statement}) AS stage LIMIT ${STAGE_MAX_ROWS + 1}`,
      );
      await session
        .run(
          [
            `DROP VIEW IF EXISTS ${quoteSqlIdentifier(PARTIALS_VIEW)}`,
            ...inline.map((table) => `DROP TABLE IF EXISTS ${quoteSqlIdentifier(table)}`),
          ].join(";\n"),
        )
        .catch(() => undefined);
      await Promise.all(outputs.map((output) => output.path && rm(output.path, { force: true })));
      const texts = values.map((column) => column as (string | null)[]);
      let bytes = 0;
      for (const column of texts) for (const value of column) bytes += value?.length ?? 0;
      if (
        rowCount > STAGE_MAX_ROWS ||
        bytes > STAGE_MAX_TEXT_BYTES ||
        texts.some((column) => column.some((value) => value?.includes("\0")))
      ) {
        this.#stageOverflows.set(plan, this.#options.now?.() ?? Date.now());
        return undefined;
      }
      results.push(Array.from({ length: rowCount }, (_, row) => texts.map((column) => column[row] ?? null)));
    }
    this.#stageOverflows.delete(plan);
    return stagedWorkerSql(plan, results);
  }

  /** Remembers the most rows one worker returned for each view of a plan's last run. */
  #observe(
    plan: FragmentPlan,
    results: readonly { view: string; outputs: readonly FragmentOutput[] }[],
  ): void {
    this.#observed.set(
      plan,
      new Map(
        results.map(({ view, outputs }) => [view, Math.max(0, ...outputs.map((output) => output.rowCount))]),
      ),
    );
  }

  /**
   * The session's views over fragment results; temporary tables made for them are added to
   * `tables` and returned.
   */
  async #makeViews(
    session: EngineSession,
    results: readonly { view: string; outputs: readonly FragmentOutput[] }[],
    tables: string[],
  ): Promise<string[]> {
    const suffix = randomUUID().replaceAll("-", "");
    const made = results.map(({ view, outputs }, index) =>
      fragmentOutputsView(view, outputs, `${INLINE_TABLE_PREFIX}${suffix}_${index}`),
    );
    const created: string[] = [];
    for (const { inlineTable } of made) {
      if (!inlineTable) continue;
      tables.push(inlineTable.name);
      created.push(inlineTable.name);
      await session.createTextTable(inlineTable.name, inlineTable.columns);
    }
    await session.run(made.map(({ statement }) => statement).join(";\n"));
    return created;
  }

  /**
   * Runs `sql` over the table on every captured worker, the files split between them by bytes;
   * `expectedRows` is what each worker's result is expected to hold, when known. Each worker reads
   * its capture of the table as `captures` holds it, kept for a later read of the query if any.
   */
  async #scatter(
    snapshot: Snapshot,
    sql: string,
    expectedRows: number | undefined,
    directory: string,
    queryCaptures: QueryCaptures,
  ): Promise<FragmentOutput[]> {
    const { metadata, membership, clients } = this.#options;
    const { captures, keep } = queryCaptures.read(snapshot.table.name);
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
    const outputs = await dispatchFragments(parts, {
      clients,
      sql,
      directory,
      inlineMaxCells: this.#options.inlineResultCells,
      expectedRows: expectedRows ?? 0,
      inputOf: (part) => ({ ...fragmentInput(snapshot, part, schemas), keepCapture: keep }),
      liveWorkers: () => membership.refresh(),
    });
    if (keep) queryCaptures.kept(snapshot.table.name, outputs);
    return outputs;
  }
}

function snapshotOf(snapshots: readonly Snapshot[], table: string): Snapshot {
  const folded = table.toLowerCase();
  return snapshots.find((snapshot) => snapshot.table.name.toLowerCase() === folded)!;
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
    captureBuffer: part.capture?.inFragment ?? false,
    manifestVersion: BigInt(manifest.version),
    manifestKeys: part.capture
      ? manifest.files.filter((file) => file.nodeId === part.worker.id).map((file) => file.key)
      : [],
    ...(snapshot.minTimestamp === undefined
      ? {}
      : { minTimestampMicros: BigInt(Math.trunc(snapshot.minTimestamp)) }),
  };
}

/** Whether a failure of the one-round-trip attempt calls for the captures to be taken first. */
function capturesFirstInstead(error: MiniodbError): boolean {
  return (
    error.code === "unavailable" || (error.code === "aborted" && error.details["reason"] === "manifest_stale")
  );
}
