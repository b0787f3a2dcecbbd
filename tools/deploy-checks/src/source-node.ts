import { spawnServe } from "@miniodb/query-node/testing";

export interface SourceNode {
  readonly ports: { grpc: number; rest: number };
  stop(): Promise<void>;
}

/** Starts `miniodb serve` from source (tsx) on free loopback ports with a fresh data directory. */
export async function startSourceNode(): Promise<SourceNode> {
  const node = await spawnServe();
  return { ports: node.ports, stop: async () => void (await node.stop()) };
}
