import {
  MiniodbError,
  ShardRing,
  type MetadataStore,
  type NodeEntry,
  type ShardRingOptions,
} from "@miniodb/core";

export interface ClusterMembershipOptions {
  readonly metadata: MetadataStore;
  /** How often the registry is re-read in the background. */
  readonly pollIntervalMs: number;
  readonly ring?: ShardRingOptions;
  readonly onError?: (error: unknown) => void;
  readonly onChange?: (previous: ShardRing, next: ShardRing, workers: readonly NodeEntry[]) => void;
  readonly now?: () => number;
}

/**
 * A node's view of the cluster: the live workers in the metadata store's registry and the
 * consistent-hash ring of the active ones (draining workers take no writes). Re-read every
 * `pollIntervalMs` and on demand; a view is never older than the poll interval plus one
 * registry read, except while the metadata store cannot be reached.
 */
export class ClusterMembership {
  readonly #options: ClusterMembershipOptions;
  readonly #now: () => number;
  #workers: readonly NodeEntry[] = [];
  #ring: ShardRing;
  #future: ShardRing;
  #refreshing: Promise<readonly NodeEntry[]> | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(options: ClusterMembershipOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#ring = ShardRing.build([], options.ring);
    this.#future = this.#ring;
  }

  /** Reads the registry once, then keeps re-reading it in the background. */
  static async start(options: ClusterMembershipOptions): Promise<ClusterMembership> {
    const membership = new ClusterMembership(options);
    await membership.refresh();
    membership.#timer = setInterval(
      () => void membership.refresh().catch((error: unknown) => options.onError?.(error)),
      options.pollIntervalMs,
    );
    membership.#timer.unref();
    return membership;
  }

  /** The ring of active workers as last read. */
  get ring(): ShardRing {
    return this.#ring;
  }

  /**
   * The ring once the joining workers are active (the active ring when none is joining): what a
   * worker checks its writes against, so that it stops taking shards that are about to move.
   */
  get futureRing(): ShardRing {
    return this.#future;
  }

  /** Live workers (active and draining) as last read. */
  get workers(): readonly NodeEntry[] {
    return this.#workers;
  }

  /** The ring, unavailable when no worker is active. */
  requireRing(): ShardRing {
    if (this.#ring.isEmpty) throw new MiniodbError("unavailable", "no worker node is available");
    return this.#ring;
  }

  /** Re-reads the registry now (concurrent callers share one read) and returns the live workers. */
  refresh(): Promise<readonly NodeEntry[]> {
    this.#refreshing ??= this.#read().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #read(): Promise<readonly NodeEntry[]> {
    const nodes = await this.#options.metadata.listNodes(new Date(this.#now()));
    const workers = nodes.filter((node) => node.role === "worker");
    const active = workers.filter((node) => (node.state ?? "active") === "active").map((node) => node.id);
    const joining = workers.filter((node) => node.state === "joining").map((node) => node.id);
    this.#workers = workers;
    if (!sameMembers(this.#ring.nodes, active)) {
      const previous = this.#ring;
      this.#ring = ShardRing.build(active, this.#options.ring);
      this.#options.onChange?.(previous, this.#ring, workers);
    }
    const future = [...active, ...joining];
    if (!sameMembers(this.#future.nodes, future))
      this.#future = joining.length === 0 ? this.#ring : ShardRing.build(future, this.#options.ring);
    return workers;
  }
}

function sameMembers(current: readonly string[], next: readonly string[]): boolean {
  const sorted = [...next].sort();
  return current.length === sorted.length && current.every((node, index) => node === sorted[index]);
}
