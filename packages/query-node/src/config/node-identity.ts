import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MiniodbError } from "@miniodb/core";
import type { Config } from "./config-schema.js";
import { defaultNodeId } from "./load-config.js";

/** A configuration whose node id is settled. */
export type ResolvedConfig = Config & { readonly node: { readonly id: string } };

/** File under `node.data_dir` that pins the id of the node owning the directory. */
export const NODE_ID_FILE = "node-id";

/**
 * Settles the node id and keeps it stable across restarts: the first start records it in the data
 * directory (the configured `node.id`, else the host name, with the role and a random suffix for
 * cluster roles); later starts reuse the recorded id,
 * even when the host name changed (a recreated container). A configured id that differs from the
 * recorded one is refused: the WAL, files and manifests of the directory carry the recorded id.
 */
export function resolveNodeIdentity(config: Config): ResolvedConfig {
  const dataDir = config.node.data_dir;
  const path = join(dataDir, NODE_ID_FILE);
  const configured = config.node.id;
  let id: string;
  if (existsSync(path)) {
    id = readFileSync(path, "utf8").trim();
    if (configured !== undefined && configured !== id) {
      throw new MiniodbError(
        "failed_precondition",
        `node.id is ${configured} but ${dataDir} belongs to node ${id}: use that id, or another data directory`,
      );
    }
  } else {
    id =
      configured ?? (config.node.role === "all-in-one" ? defaultNodeId() : clusterNodeId(config.node.role));
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(`${path}.tmp`, `${id}\n`);
    renameSync(`${path}.tmp`, path);
  }
  return Object.freeze({ ...config, node: Object.freeze({ ...config.node, id }) });
}

/**
 * A new id for a cluster node started without node.id: the host name, the role and a random
 * suffix, so several nodes on one host (each with its own data directory) never share an id.
 */
function clusterNodeId(role: string): string {
  return `${defaultNodeId().slice(0, 40)}-${role}-${randomBytes(4).toString("hex")}`;
}
