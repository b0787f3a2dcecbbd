import type { ShardOwnership } from "@miniodb/worker-node";
import type { ClusterMembership } from "./cluster-membership.js";

/**
 * A worker's answer to "is this shard mine?", by its view of the ring once the joining workers are
 * active (a shard about to move is no longer taken), refreshed before a no.
 */
export function createWorkerOwnership(nodeId: string, membership: ClusterMembership): ShardOwnership {
  const unownedBy = (table: string, ids: readonly string[]) => {
    const ring = membership.futureRing;
    if (ring.isEmpty) return [...ids];
    const ownerOf = ring.ownersOfRecords(table);
    return ids.filter((id) => ownerOf(id) !== nodeId);
  };
  return {
    async unowned(table, ids) {
      if (unownedBy(table, ids).length === 0) return [];
      await membership.refresh();
      return unownedBy(table, ids);
    },
  };
}
