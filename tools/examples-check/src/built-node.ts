import { existsSync } from "node:fs";
import { BUILT_ENTRY, spawnServe } from "@miniodb/query-node/testing";

export interface RunningNode {
  readonly ports: { grpc: number; rest: number };
  stop(): Promise<void>;
}

/** Starts an all-in-one node from the build (the test target depends on it) on free loopback ports. */
export async function startNode(): Promise<RunningNode> {
  const bin = BUILT_ENTRY[0]!;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  const node = await spawnServe({ entry: BUILT_ENTRY, env: { MINIODB_LOG__LEVEL: "info" } });
  return { ports: node.ports, stop: async () => void (await node.stop()) };
}
