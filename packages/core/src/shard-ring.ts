import type { NodeId, ShardId } from "./branded.js";
import { MiniodbError } from "./miniodb-error.js";
import { murmur3, PrefixedMurmur3 } from "./murmur3.js";

/**
 * Record → shard → node placement.
 *
 * A record lives in shard `murmur3(utf8(table) ‖ 0x00 ‖ utf8(id)) mod shardCount` (MurmurHash3
 * x86_32, seed 0). The shard count is fixed for the life of a cluster, so a record's shard never
 * changes; only shard ownership moves.
 *
 * Ownership is a consistent-hash ring: each node contributes `virtualNodes` points at
 * `murmur3(utf8(nodeId) ‖ "#" ‖ decimal(v))` for v in [0, virtualNodes); shard s sits at position
 * `floor((s + 0.5) · 2³² / shardCount)` and belongs to the first point at or after it, wrapping
 * around (ties between equal points go to the smaller node id). Adding or removing one of N nodes
 * therefore moves only about 1/N of the shards, all to or from that node.
 */
export const DEFAULT_SHARD_COUNT = 4096;
export const DEFAULT_VIRTUAL_NODES = 128;

const RING_SIZE = 2 ** 32;

export interface ShardRingOptions {
  readonly shardCount?: number;
  readonly virtualNodes?: number;
}

/** One shard whose owner differs between two rings. */
export interface ShardMove {
  readonly shard: ShardId;
  readonly from: NodeId;
  readonly to: NodeId;
}

/** Returns the shard of a record. Independent of the nodes, stable for a given shard count. */
export function shardOf(table: string, id: string, shardCount = DEFAULT_SHARD_COUNT): ShardId {
  return (murmur3(`${table}\u0000${id}`) % shardCount) as ShardId;
}

/** An immutable assignment of shards to nodes. Derive changed rings with `withNode`/`withoutNode`. */
export class ShardRing {
  readonly shardCount: number;
  readonly virtualNodes: number;
  /** Member nodes, sorted. */
  readonly nodes: readonly NodeId[];
  readonly #owners: readonly NodeId[];

  private constructor(nodes: readonly NodeId[], shardCount: number, virtualNodes: number) {
    this.shardCount = shardCount;
    this.virtualNodes = virtualNodes;
    this.nodes = nodes;
    this.#owners = assignShards(nodes, shardCount, virtualNodes);
  }

  /** Builds a ring over `nodes` (duplicates are ignored). */
  static build(nodes: Iterable<string>, options: ShardRingOptions = {}): ShardRing {
    const shardCount = options.shardCount ?? DEFAULT_SHARD_COUNT;
    const virtualNodes = options.virtualNodes ?? DEFAULT_VIRTUAL_NODES;
    requirePositiveInteger("shardCount", shardCount, 1 << 20);
    requirePositiveInteger("virtualNodes", virtualNodes, 4096);
    const members = [...new Set(nodes)].sort();
    for (const node of members) {
      if (node.length === 0) throw new MiniodbError("invalid_argument", "a node id must not be empty");
    }
    return new ShardRing(members as NodeId[], shardCount, virtualNodes);
  }

  get isEmpty(): boolean {
    return this.nodes.length === 0;
  }

  /** The shard of a record under this ring's shard count. */
  shardOf(table: string, id: string): ShardId {
    return shardOf(table, id, this.shardCount);
  }

  /** The node that owns `shard`. Throws unavailable when the ring has no nodes. */
  ownerOf(shard: ShardId): NodeId {
    if (!Number.isInteger(shard) || shard < 0 || shard >= this.shardCount) {
      throw new MiniodbError("invalid_argument", `shard ${shard} is outside [0, ${this.shardCount})`);
    }
    const owner = this.#owners[shard];
    if (owner === undefined) throw new MiniodbError("unavailable", "no worker node is available");
    return owner;
  }

  /** The node that owns the record `(table, id)`. */
  ownerOfRecord(table: string, id: string): NodeId {
    return this.ownerOf(this.shardOf(table, id));
  }

  /**
   * `ownerOfRecord` for many records of one table: the table's part of the hashed key is mixed
   * once, not once per record.
   */
  ownersOfRecords(table: string): (id: string) => NodeId {
    const hasher = new PrefixedMurmur3(`${table}\u0000`);
    return (id) => this.ownerOf((hasher.hash(id) % this.shardCount) as ShardId);
  }

  /** Every shard `node` owns, ascending. */
  shardsOf(node: string): ShardId[] {
    const shards: ShardId[] = [];
    this.#owners.forEach((owner, shard) => {
      if (owner === node) shards.push(shard as ShardId);
    });
    return shards;
  }

  withNode(node: string): ShardRing {
    return ShardRing.build([...this.nodes, node], this.#options());
  }

  withoutNode(node: string): ShardRing {
    return ShardRing.build(
      this.nodes.filter((member) => member !== node),
      this.#options(),
    );
  }

  /** Shards whose owner differs in `next`. Both rings must have the same shard count. */
  movesTo(next: ShardRing): ShardMove[] {
    if (next.shardCount !== this.shardCount) {
      throw new MiniodbError("invalid_argument", "rings with different shard counts cannot be compared");
    }
    const moves: ShardMove[] = [];
    for (let shard = 0; shard < this.shardCount; shard++) {
      const from = this.#owners[shard];
      const to = next.#owners[shard];
      if (from !== undefined && to !== undefined && from !== to) {
        moves.push({ shard: shard as ShardId, from, to });
      }
    }
    return moves;
  }

  #options(): ShardRingOptions {
    return { shardCount: this.shardCount, virtualNodes: this.virtualNodes };
  }
}

interface RingPoint {
  readonly position: number;
  readonly node: NodeId;
}

function assignShards(nodes: readonly NodeId[], shardCount: number, virtualNodes: number): NodeId[] {
  if (nodes.length === 0) return [];
  const points: RingPoint[] = [];
  for (const node of nodes) {
    for (let v = 0; v < virtualNodes; v++) points.push({ position: murmur3(`${node}#${v}`), node });
  }
  points.sort((a, b) => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const owners: NodeId[] = new Array<NodeId>(shardCount);
  let next = 0;
  for (let shard = 0; shard < shardCount; shard++) {
    const position = Math.floor(((shard + 0.5) * RING_SIZE) / shardCount);
    while (next < points.length && points[next]!.position < position) next++;
    owners[shard] = (points[next] ?? points[0]!).node;
  }
  return owners;
}

function requirePositiveInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new MiniodbError("invalid_argument", `${name} must be an integer in [1, ${max}], got ${value}`);
  }
}
