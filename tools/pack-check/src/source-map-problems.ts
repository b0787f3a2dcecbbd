import { posix } from "node:path";

/** The fields of a source map this check reads. */
export interface SourceMap {
  readonly sources?: readonly string[];
  readonly sourcesContent?: ReadonlyArray<string | null>;
}

/**
 * Source maps of a package that point at files its tarball does not hold. A map is usable when
 * each of its sources is either embedded (`sourcesContent`) or shipped next to it; `readMap`
 * returns the parsed map of a shipped `.map` file.
 */
export function sourceMapProblems(files: readonly string[], readMap: (file: string) => SourceMap): string[] {
  const shipped = new Set(files);
  const problems: string[] = [];
  for (const file of files.filter((path) => path.endsWith(".map"))) {
    const map = readMap(file);
    for (const [index, source] of (map.sources ?? []).entries()) {
      if (typeof map.sourcesContent?.[index] === "string") continue;
      const target = posix.normalize(posix.join(posix.dirname(file), source));
      if (!shipped.has(target)) problems.push(`${file} points at ${target}, which is not in the tarball`);
    }
  }
  return problems;
}
