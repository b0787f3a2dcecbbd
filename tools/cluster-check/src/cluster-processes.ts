import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILT_ENTRY, spawnServe, type ServeProcess } from "@miniodb/query-node/testing";

/**
 * Short intervals so membership changes and flushes are seen quickly. The registration TTL stays at
 * its default: no worker here crashes, and writes retried during a join may wait that long.
 */
const CLUSTER_TIMING: Record<string, string> = {
  MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
  MINIODB_CLUSTER__HEARTBEAT_INTERVAL_MS: "200",
  MINIODB_CLUSTER__MEMBERSHIP_POLL_MS: "200",
  // Every fragment result travels as Parquet here, so that the query suite checks that path
  // against the single node; packages/query-node/test/cluster.e2e.test.ts checks the inline one.
  MINIODB_CLUSTER__INLINE_RESULT_CELLS: "0",
};

/** `miniodb serve` as the build leaves it (the test target builds it first): it starts faster than from source. */
export function builtEntry(): readonly string[] {
  const bin = BUILT_ENTRY[0]!;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  return BUILT_ENTRY;
}

/** A worker process and the port of its internal API. */
export interface WorkerProcess {
  readonly id: string;
  readonly process: ServeProcess;
  readonly clusterPort: number;
}

/**
 * The query and worker nodes of a cluster, each `miniodb serve` from the build as a separate process
 * on free loopback ports, with its own data directory under one scratch directory.
 */
export class ClusterProcesses {
  readonly #backendEnv: Record<string, string>;
  readonly #scratch = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-cluster-check-")));
  readonly #running = new Set<ServeProcess>();
  readonly workers = new Map<string, WorkerProcess>();

  constructor(backendEnv: Record<string, string>) {
    this.#backendEnv = backendEnv;
  }

  async startWorker(id: string): Promise<WorkerProcess> {
    const node = await this.#spawn(id, ["--role", "worker", "--node-id", id, "--cluster-port", "0"]);
    const worker = {
      id,
      process: node,
      clusterPort: (node.listening["ports"] as { cluster: number }).cluster,
    };
    this.workers.set(id, worker);
    return worker;
  }

  /** Starts a query node and returns its REST base URL with the process. */
  async startQueryNode(id: string): Promise<{ rest: string; process: ServeProcess }> {
    const node = await this.#spawn(id, ["--role", "query", "--node-id", id]);
    return { rest: `http://127.0.0.1:${node.ports.rest}`, process: node };
  }

  /** Stops a worker with SIGTERM (a graceful leave) and resolves with its exit code. */
  async leave(id: string): Promise<number | null> {
    const worker = this.workers.get(id);
    if (!worker) throw new Error(`no worker ${id}`);
    this.workers.delete(id);
    this.#running.delete(worker.process);
    return await worker.process.stop("SIGTERM");
  }

  /** Kills every node still running and removes the data directories. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((node) => node.stop("SIGKILL")));
    this.#running.clear();
    rmSync(this.#scratch, { recursive: true, force: true });
  }

  async #spawn(id: string, args: string[]): Promise<ServeProcess> {
    const node = await spawnServe({
      entry: builtEntry(),
      args,
      env: { ...this.#backendEnv, ...CLUSTER_TIMING, MINIODB_NODE__DATA_DIR: join(this.#scratch, id) },
    });
    this.#running.add(node);
    return node;
  }
}
