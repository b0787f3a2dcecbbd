import { QUERY_SUITE } from "./query-suite.js";
import type { ScanOption } from "./delete-scan-views.js";

const median = (samples: readonly number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const ms = (value: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Numbers to 12 significant digits: sums of doubles differ in their last bits from run to run. */
function rounded(rows: unknown[][]): string {
  return JSON.stringify(rows, (_, value: unknown) =>
    typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
  );
}

/**
 * For each option, whether its rows equal those of the option at `reference` (the id anti-join),
 * query by query: exactly, to 12 significant digits, or not.
 */
export function resultsAgree(
  options: readonly ScanOption[],
  results: readonly (readonly unknown[][][])[],
  reference: number,
): string {
  const lines = ["results against the id anti-join's:"];
  for (const [o, option] of options.entries()) {
    const counts = { exact: 0, rounded: 0, different: [] as string[] };
    for (const [q, query] of QUERY_SUITE.entries()) {
      const [mine, theirs] = [results[o]![q]!, results[reference]![q]!];
      if (JSON.stringify(mine) === JSON.stringify(theirs)) counts.exact++;
      else if (rounded(mine) === rounded(theirs)) counts.rounded++;
      else counts.different.push(query.name);
    }
    lines.push(
      `- ${option.name}: ${counts.exact} exactly equal, ${counts.rounded} equal to 12 digits, ` +
        `different: ${counts.different.join(", ") || "none"}`,
    );
  }
  return lines.join("\n");
}

/**
 * Markdown: per query, each option's median ms and its ratio to the first option's; then the
 * whole suite (median over the runs of each run's total).
 */
export function timingTables(options: readonly ScanOption[], runs: readonly number[][][]): string {
  const cell = (value: number, base: number, first: boolean) =>
    first ? ms(value) : `${ms(value)} (${(value / base).toFixed(2)}×)`;
  const header = `| query | ${options.map((option) => option.name).join(" | ")} |`;
  const lines = [header, `| --- |${options.map(() => " --- |").join("")}`];
  for (const [q, query] of QUERY_SUITE.entries()) {
    const medians = options.map((_, o) => median(runs.map((times) => times[o]![q]!)));
    lines.push(
      `| ${query.name} | ${medians.map((value, o) => cell(value, medians[0]!, o === 0)).join(" | ")} |`,
    );
  }
  const totals = options.map((_, o) => median(runs.map((times) => times[o]!.reduce((sum, t) => sum + t, 0))));
  lines.push(
    `| **whole suite** | ${totals.map((value, o) => cell(value, totals[0]!, o === 0)).join(" | ")} |`,
  );
  return lines.join("\n");
}
