/** One sample line of the Prometheus text format. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: the name of its `# TYPE` line and its samples (histograms: `_bucket`, `_sum`, `_count`). */
export interface PrometheusFamily {
  readonly name: string;
  readonly type: string;
  readonly samples: PrometheusSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

/**
 * A strict parser of the text exposition format (version 0.0.4): every line must be a comment,
 * a `# HELP`/`# TYPE` line or a well-formed sample, or it throws. Written for the tests because
 * the one packaged parser merges the buckets of histogram series with different labels and drops
 * their labels when `_count` comes before `_bucket` (both valid, and what OpenTelemetry writes).
 */
export function parsePrometheusText(text: string): Map<string, PrometheusFamily> {
  const families = new Map<string, PrometheusFamily>();
  let current: PrometheusFamily | undefined;
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const [, keyword, name, rest] = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line) ?? [];
      if (keyword === "TYPE") {
        current = { name: name!, type: rest!, samples: [] };
        if (families.has(name!)) throw new Error(`line ${index + 1}: family ${name} declared twice`);
        families.set(name!, current);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`line ${index + 1}: not a sample: ${line}`);
    const [, name, labelText = "", valueText] = match;
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== "NaN")
      throw new Error(`line ${index + 1}: bad value ${valueText}`);
    const sample = { name: name!, labels: parseLabels(labelText, index + 1), value };
    const family = current && belongsTo(name!, current) ? current : familyOf(families, name!);
    family.samples.push(sample);
  }
  return families;
}

function belongsTo(name: string, family: PrometheusFamily): boolean {
  if (name === family.name) return true;
  const suffixes = family.type === "histogram" ? ["_bucket", "_sum", "_count"] : [];
  return suffixes.some((suffix) => name === family.name + suffix);
}

function familyOf(families: Map<string, PrometheusFamily>, name: string): PrometheusFamily {
  const family = families.get(name) ?? { name, type: "untyped", samples: [] };
  families.set(name, family);
  return family;
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match) throw new Error(`line ${line}: bad labels at ${start}: ${text}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}
