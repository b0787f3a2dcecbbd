/** The parts of a package.json that decide whether it installs and resolves from a tarball. */
export interface PackageManifest {
  readonly name?: string;
  readonly version?: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly license?: string;
  readonly type?: string;
  readonly engines?: Record<string, string>;
  readonly exports?: Record<string, Record<string, string>>;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
}

/** The development-only export condition that points at TypeScript sources in the repository. */
export const SOURCE_CONDITION = "@miniodb/source";

/**
 * What would break for someone installing this package from its tarball: missing metadata,
 * export or bin targets that are not in the tarball, sources or tests shipped, and internal
 * dependencies not pinned to the version being published next to it.
 */
export function packedPackageProblems(
  manifest: PackageManifest,
  files: readonly string[],
  workspaceVersions: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  const shipped = new Set(files.map((file) => file.replace(/^\.\//, "")));
  for (const field of ["name", "version", "description", "license"] as const) {
    if (!manifest[field]) problems.push(`missing "${field}"`);
  }
  if (manifest.private) problems.push(`"private": true cannot be published`);
  if (manifest.type !== "module") problems.push(`"type" must be "module" (the code is ESM)`);
  if (!manifest.engines?.["node"]) problems.push(`missing "engines.node"`);
  if (!shipped.has("README.md")) problems.push("README.md is not in the tarball");
  if (!manifest.exports?.["."]) problems.push(`missing "exports" for "."`);
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    const names = Object.keys(conditions);
    if (!conditions["types"] || !conditions["default"]) {
      problems.push(`exports["${subpath}"] needs "types" and "default"`);
    }
    if (names.includes(SOURCE_CONDITION) && names.indexOf(SOURCE_CONDITION) > names.indexOf("types")) {
      problems.push(`exports["${subpath}"]: "${SOURCE_CONDITION}" must come before "types"`);
    }
    for (const [condition, target] of Object.entries(conditions)) {
      if (condition === SOURCE_CONDITION) continue;
      if (!shipped.has(target.replace(/^\.\//, ""))) {
        problems.push(`exports["${subpath}"].${condition} → ${target} is not in the tarball`);
      }
    }
  }
  for (const [command, target] of Object.entries(manifest.bin ?? {})) {
    if (!shipped.has(target.replace(/^\.\//, "")))
      problems.push(`bin ${command} → ${target} is not in the tarball`);
  }
  for (const file of shipped) {
    if (
      /^(src|test)\//.test(file) ||
      /\.test\.(js|d\.ts|ts)(\.map)?$/.test(file) ||
      file.endsWith(".tsbuildinfo")
    ) {
      problems.push(`${file} should not be published`);
    }
  }
  for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
    const version = workspaceVersions.get(dependency);
    if (version !== undefined && range !== version) {
      problems.push(`dependency ${dependency}@${range} is not pinned to the workspace version ${version}`);
    }
  }
  return problems;
}
