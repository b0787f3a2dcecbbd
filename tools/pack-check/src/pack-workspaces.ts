import { join } from "node:path";
import { runNpm } from "./run-npm.js";

export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the tarball. */
  readonly tarball: string;
  /** Paths inside the package, e.g. `dist/index.js`. */
  readonly files: readonly string[];
}

interface NpmPackEntry {
  name: string;
  version: string;
  filename: string;
  files: Array<{ path: string }>;
}

/** `npm pack` of the named workspaces of the repository at `root`, tarballs into `destination`. */
export async function packWorkspaces(
  root: string,
  names: readonly string[],
  destination: string,
): Promise<PackedPackage[]> {
  const workspaces = names.flatMap((name) => ["-w", name]);
  const stdout = await runNpm(["pack", "--json", "--pack-destination", destination, ...workspaces], root);
  const entries = JSON.parse(stdout) as NpmPackEntry[];
  return entries.map((entry) => ({
    name: entry.name,
    version: entry.version,
    tarball: join(destination, entry.filename),
    files: entry.files.map((file) => file.path),
  }));
}
