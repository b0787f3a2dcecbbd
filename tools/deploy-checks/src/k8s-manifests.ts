import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "./config-keys.js";

export const K8S_DIR = join(REPO_ROOT, "deploy/k8s");

/** A Kubernetes object as written in a manifest; only the fields the checks read are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ManifestDocument {
  /** Path relative to deploy/k8s, e.g. `miniodb/worker-node.yaml`. */
  readonly file: string;
  readonly object: K8sObject;
}

/** Every document of every `*.yaml` under deploy/k8s; a YAML syntax error throws. */
export function loadManifests(dir = K8S_DIR): ManifestDocument[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".yaml"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return files.flatMap((path) =>
    parseAllDocuments(readFileSync(path, "utf8")).map((document) => {
      if (document.errors.length > 0) throw new Error(`${path}: ${document.errors.join("; ")}`);
      return { file: relative(dir, path), object: document.toJS() as K8sObject };
    }),
  );
}
