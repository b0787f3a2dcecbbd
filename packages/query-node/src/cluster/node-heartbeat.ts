import { MiniodbError, type MetadataStore, type NodeRole, type NodeState } from "@miniodb/core";

export interface NodeHeartbeatOptions {
  readonly metadata: MetadataStore;
  readonly id: string;
  readonly role: NodeRole;
  /** host:port other nodes reach this node at. */
  readonly address: string;
  readonly intervalMs: number;
  readonly ttlMs: number;
  /** Called when a renewal fails (the next one retries). */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
  /** The state advertised from the first registration on; active by default. */
  readonly state?: NodeState;
}

/**
 * A node's entry in the metadata store's registry, renewed every `intervalMs` to expire `ttlMs`
 * later. A node whose renewals failed for longer than the TTL has lapsed out of the cluster; the
 * next successful renewal registers it again. `stop` removes the entry (a graceful leave).
 */
export class NodeHeartbeat {
  readonly #options: NodeHeartbeatOptions;
  readonly #now: () => number;
  readonly #startedAt: Date;
  #state: NodeState = "active";
  #timer: NodeJS.Timeout | undefined;
  #renewal: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(options: NodeHeartbeatOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = new Date(this.#now());
  }

  /**
   * Registers the node and starts renewing. Refuses (failed_precondition) when a live entry with
   * the same id names another address: two nodes must not share an id.
   */
  static async start(options: NodeHeartbeatOptions): Promise<NodeHeartbeat> {
    const heartbeat = new NodeHeartbeat(options);
    heartbeat.#state = options.state ?? "active";
    const now = new Date(heartbeat.#now());
    const existing = (await options.metadata.listNodes(now)).find((node) => node.id === options.id);
    if (existing && existing.address !== options.address) {
      throw new MiniodbError(
        "failed_precondition",
        `node id ${options.id} is registered by a live node at ${existing.address} (until ${existing.expiresAt.toISOString()}); give this node another node.id, or wait until that registration lapses`,
      );
    }
    await heartbeat.#put();
    heartbeat.#timer = setInterval(() => void heartbeat.#renew(), options.intervalMs);
    heartbeat.#timer.unref();
    return heartbeat;
  }

  get state(): NodeState {
    return this.#state;
  }

  /** Changes the advertised state now (e.g. draining before a graceful leave). */
  async setState(state: NodeState): Promise<void> {
    this.#state = state;
    await this.#renewal;
    await this.#put();
  }

  /** Stops renewing and removes the entry. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#renewal;
    await this.#options.metadata.removeNode(this.#options.id);
  }

  #renew(): Promise<void> {
    if (this.#stopped) return this.#renewal;
    this.#renewal = this.#put().catch((error: unknown) => this.#options.onError?.(error));
    return this.#renewal;
  }

  async #put(): Promise<void> {
    const { metadata, id, role, address, ttlMs } = this.#options;
    await metadata.putNode({
      id,
      role,
      address,
      startedAt: this.#startedAt,
      expiresAt: new Date(this.#now() + ttlMs),
      ...(this.#state === "active" ? {} : { state: this.#state }),
    });
  }
}
