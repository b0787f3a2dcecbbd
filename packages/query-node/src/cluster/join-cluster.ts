import type { Logger } from "pino";
import type { ClusterMembership } from "./cluster-membership.js";
import { NodeHeartbeat, type NodeHeartbeatOptions } from "./node-heartbeat.js";
import type { WorkerClients } from "./worker-clients.js";

export interface JoinClusterDeps {
  /** The worker's registration (its state is set here). */
  readonly heartbeat: Omit<NodeHeartbeatOptions, "state">;
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  readonly logger: Logger;
  /** Attempts of each handoff flush before joining without it. Default 5. */
  readonly attempts?: number;
}

/**
 * A worker's join, in the order that makes the old owners' buffered rows of the moving shards
 * durable before the new owner serves those shards:
 * 1. register as `joining`: query nodes do not route to it yet, and the active workers, once they
 *    see it, refuse writes of the shards it will own (the query nodes retry them);
 * 2. ask every active worker that loses shards to flush: it re-reads the registry, waits for the
 *    writes it admitted before, and flushes its buffer;
 * 3. turn `active`: query nodes route the moved shards here.
 * A worker that cannot be reached is skipped after a few attempts (logged): it took no writes
 * meanwhile, and its buffer is in its WAL if it crashed.
 */
export async function joinCluster(deps: JoinClusterDeps): Promise<NodeHeartbeat> {
  const { membership, clients, logger } = deps;
  const heartbeat = await NodeHeartbeat.start({ ...deps.heartbeat, state: "joining" });
  try {
    const workers = await membership.refresh();
    const moves = membership.ring
      .movesTo(membership.futureRing)
      .filter((move) => move.to === deps.heartbeat.id);
    const shardsBySource = new Map<string, number[]>();
    for (const move of moves)
      shardsBySource.set(move.from, [...(shardsBySource.get(move.from) ?? []), move.shard]);
    const flushed: string[] = [];
    let rows = 0;
    await Promise.all(
      [...shardsBySource].map(async ([id, shards]) => {
        const worker = workers.find((entry) => entry.id === id);
        if (!worker) return;
        for (let attempt = 1; ; attempt++) {
          try {
            const outcome = await clients.of(worker).flush({ shards });
            rows += Number(outcome.recordsFlushed);
            flushed.push(id);
            return;
          } catch (error) {
            if (attempt >= (deps.attempts ?? 5)) {
              logger.warn(
                { err: error, worker: id },
                "joining without the handoff flush of a worker that did not answer",
              );
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          }
        }
      }),
    );
    await heartbeat.setState("active");
    logger.info({ flushed: flushed.sort(), rows, moved_shards: moves.length }, "joined the cluster");
    return heartbeat;
  } catch (error) {
    await heartbeat.stop().catch(() => undefined);
    throw error;
  }
}
