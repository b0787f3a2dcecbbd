import { parser } from "@prometheus-io/lezer-promql";
import { parsePrometheusText, type PrometheusFamily } from "./prometheus-text.js";

/** A parsed `/metrics` answer, by family name. */
export type Scrape = ReadonlyMap<string, PrometheusFamily>;

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const text = await response.text();
  return parsePrometheusText(text);
}

/**
 * Sum of the values of the family's samples whose labels include `labels`; for a histogram, of its
 * `_count` samples (or of `_sum` with `part: "sum"`). NaN when the family is not exported.
 */
export function sampleSum(
  metrics: Scrape,
  name: string,
  labels: Record<string, string> = {},
  part: "count" | "sum" = "count",
): number {
  const family = metrics.get(name);
  if (!family) return Number.NaN;
  const sampleName = family.type === "histogram" ? `${name}_${part}` : name;
  return family.samples
    .filter((sample) => sample.name === sampleName)
    .filter((sample) => Object.entries(labels).every(([key, value]) => (sample.labels[key] ?? "") === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** A metric a PromQL expression selects: its name and its equality matchers. */
export interface VectorSelector {
  readonly name: string;
  readonly equals: Record<string, string>;
}

/** The vector selectors of a PromQL expression, found with the PromQL grammar (not patterns). */
export function vectorSelectors(expression: string): VectorSelector[] {
  const tree = parser.parse(expression);
  const selectors: VectorSelector[] = [];
  const text = (from: number, to: number) => expression.slice(from, to);
  tree.iterate({
    enter(node) {
      if (node.name === "⚠") throw new Error(`not valid PromQL: ${expression}`);
      if (node.name !== "VectorSelector") return;
      const selector = { name: "", equals: {} as Record<string, string> };
      const identifier = node.node.getChild("Identifier");
      if (identifier) selector.name = text(identifier.from, identifier.to);
      for (const matcher of node.node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
        const label = matcher.getChild("LabelName");
        const op = matcher.getChild("MatchOp");
        const value = matcher.getChild("StringLiteral");
        if (label && op && value && text(op.from, op.to) === "=")
          selector.equals[text(label.from, label.to)] = JSON.parse(text(value.from, value.to)) as string;
      }
      selectors.push(selector);
    },
  });
  return selectors;
}
