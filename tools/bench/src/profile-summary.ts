/**
 * Prints where a CPU profile's thread spent its time, by self time, per benchmark scenario:
 *
 *   npm run profile-summary -w @miniodb/bench -- <file.cpuprofile> [--windows windows.json] [--top 20]
 *
 * `--windows` is the file `ingest-bench.ts --profile-windows` writes; without it the whole
 * profile is one window. For each window: busy vs idle time, GC and native (`(program)`) shares,
 * the top frames and the self time per package.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { summarizeCpuProfile, type CpuProfile } from "./cpu-profile.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { windows: { type: "string" }, top: { type: "string", default: "20" } },
});
if (positionals.length !== 1) {
  console.error("usage: profile-summary <file.cpuprofile> [--windows windows.json] [--top 20]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as CpuProfile;
const windows = values.windows
  ? (JSON.parse(readFileSync(values.windows, "utf8")) as Array<{
      name: string;
      startUs: number;
      endUs: number;
    }>)
  : [{ name: "whole profile", startUs: profile.startTime, endUs: profile.endTime }];
const top = Number(values.top);

const ms = (micros: number) => `${(micros / 1000).toFixed(0)} ms`;
const share = (micros: number, of: number) => `${((100 * micros) / of).toFixed(1)}%`;

for (const window of windows) {
  const summary = summarizeCpuProfile(profile, window.startUs, window.endUs);
  const total = summary.totalMicros;
  const busy = total - summary.idleMicros;
  console.log(`\n== ${window.name}: ${ms(total)} sampled`);
  console.log(
    `   busy ${share(busy, total)}, idle ${share(summary.idleMicros, total)}; of busy: GC ${share(summary.gcMicros, busy)}, ` +
      `(program) ${share(summary.programMicros, busy)}`,
  );
  console.log(`   top ${top} frames by self time (% of busy):`);
  for (const entry of summary.frames.filter((frame) => frame.frame !== "(idle)").slice(0, top)) {
    console.log(
      `   ${share(entry.micros, busy).padStart(6)}  ${ms(entry.micros).padStart(9)}  ${entry.frame}`,
    );
  }
  console.log("   self time by package (% of busy):");
  for (const entry of summary.modules.filter((module) => module.module !== "(idle)").slice(0, 12)) {
    console.log(
      `   ${share(entry.micros, busy).padStart(6)}  ${ms(entry.micros).padStart(9)}  ${entry.module}`,
    );
  }
}
