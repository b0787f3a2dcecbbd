import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resultsAgree, timingTables } from "./delete-scan-report.js";
import { QUERY_SUITE } from "./query-suite.js";

const option = (name: string) => ({ name, setup: [], view: "" });

describe("delete-scan report", () => {
  it("tells exact, rounded and different answers apart", () => {
    const reference = QUERY_SUITE.map((_, q) => [[q, 0.1 + 0.2]]);
    const rounded = reference.map((rows, q) => (q === 2 ? [[q, 0.3]] : rows));
    const wrong = reference.map((rows, q) => (q === 0 ? [[q, 1]] : rows));
    const text = resultsAgree(
      [option("ref"), option("rounded"), option("wrong")],
      [reference, rounded, wrong],
      0,
    );
    assert.match(text, /- ref: 11 exactly equal, 0 equal to 12 digits, different: none/);
    assert.match(text, /- rounded: 10 exactly equal, 1 equal to 12 digits, different: none/);
    assert.match(text, /- wrong: 10 exactly equal, 0 equal to 12 digits, different: count$/m);
  });

  it("reports medians per query and of the runs' totals, with ratios to the first option", () => {
    // Three runs; the first option takes 10 ms per query, the second 20, 30 or 25.
    const runs = [20, 30, 25].map((ms) => [QUERY_SUITE.map(() => 10), QUERY_SUITE.map(() => ms)]);
    const lines = timingTables([option("none"), option("other")], runs).split("\n");
    assert.equal(lines[2], "| count | 10.0 | 25.0 (2.50×) |");
    assert.equal(lines.at(-1), "| **whole suite** | 110.0 | 275.0 (2.50×) |");
  });
});
