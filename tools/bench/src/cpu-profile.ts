/**
 * Self-time accounting of a V8 `.cpuprofile` (what `node --cpu-prof` writes) over a time window.
 * Timestamps are the profile's own: CLOCK_MONOTONIC microseconds on Linux.
 */

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /**
   * `name file:line` (line 1-based; no line for `.ts` files, whose positions are the
   * transpiler's), or V8's pseudo-frames: `(idle)`, `(program)`, `(garbage collector)`.
   */
  readonly frame: string;
  /**
   * Where the frame's code lives: `node_modules/<name>`, `packages/<name>`, `node:internal`,
   * `native` (V8 builtins and C++ bindings), or the pseudo-frame itself.
   */
  readonly module: string;
  readonly micros: number;
}

export interface WindowSummary {
  readonly totalMicros: number;
  readonly idleMicros: number;
  readonly gcMicros: number;
  /** Native work outside JavaScript on the main thread (I/O callbacks, compilation, ...). */
  readonly programMicros: number;
  /** Self time per frame and per module, largest first. */
  readonly frames: readonly SelfTime[];
  readonly modules: ReadonlyArray<{ readonly module: string; readonly micros: number }>;
}

/** Sums the self time of each frame in samples taken from `startUs` (inclusive) to `endUs`. */
export function summarizeCpuProfile(
  profile: CpuProfile,
  startUs = -Infinity,
  endUs = Infinity,
): WindowSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const frames = new Map<string, { module: string; micros: number }>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    const next = i + 1 < profile.samples.length ? at + profile.timeDeltas[i + 1]! : profile.endTime;
    if (at < startUs || at >= endUs) continue;
    const { functionName, url, lineNumber } = byId.get(profile.samples[i]!)!.callFrame;
    const file = shortPath(url);
    // TypeScript run through tsx reports positions in the transpiled text: the file is enough.
    const where = url.endsWith(".ts") ? file : `${file}:${lineNumber + 1}`;
    const frame = url === "" ? functionName : `${functionName || "(anonymous)"} ${where}`;
    const entry = frames.get(frame) ?? { module: moduleOf(file, frame), micros: 0 };
    entry.micros += Math.max(0, next - at);
    frames.set(frame, entry);
  }
  const sorted = [...frames].map(([frame, { module, micros }]) => ({ frame, module, micros }));
  sorted.sort((a, b) => b.micros - a.micros);
  const modules = new Map<string, number>();
  for (const { module, micros } of sorted) modules.set(module, (modules.get(module) ?? 0) + micros);
  const of = (frame: string) => frames.get(frame)?.micros ?? 0;
  return {
    totalMicros: sorted.reduce((sum, entry) => sum + entry.micros, 0),
    idleMicros: of("(idle)"),
    gcMicros: of("(garbage collector)"),
    programMicros: of("(program)"),
    frames: sorted,
    modules: [...modules].map(([module, micros]) => ({ module, micros })).sort((a, b) => b.micros - a.micros),
  };
}

/** A file URL relative to the repository or to `node_modules`. */
function shortPath(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("/node_modules/");
  if (inModules >= 0) return path.slice(inModules + 1);
  const inRepo = /\/(packages|tools)\/.*$/.exec(path);
  return inRepo ? inRepo[0].slice(1) : path;
}

function moduleOf(file: string, frame: string): string {
  if (file.startsWith("node:")) return "node:internal";
  const parts = file.split("/");
  if (parts[0] === "node_modules") return parts.slice(0, parts[1]?.startsWith("@") ? 3 : 2).join("/");
  if (parts[0] === "packages" || parts[0] === "tools") return parts.slice(0, 2).join("/");
  if (file === "") return frame.startsWith("(") ? frame : "native";
  return file;
}
