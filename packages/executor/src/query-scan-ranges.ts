import { intersectRanges, unionRanges, type ScanRange } from "./scan-range.js";
import { visitParseTree, type ParseNode } from "./parse-tree.js";

const COMPARISONS: Record<string, "eq" | "min" | "max"> = {
  COMPARE_EQUAL: "eq",
  COMPARE_GREATERTHAN: "min",
  COMPARE_GREATERTHANOREQUALTO: "min",
  COMPARE_LESSTHAN: "max",
  COMPARE_LESSTHANOREQUALTO: "max",
};
const FLIPPED: Record<"eq" | "min" | "max", "eq" | "min" | "max"> = { eq: "eq", min: "max", max: "min" };

/**
 * For each table of a checked query (see checkReadOnlyQuery), the range of ids and timestamps the
 * query can read, from the WHERE clauses of the SELECTs that read the table alone: top-level AND
 * conjuncts comparing `id` or `timestamp` (bare or qualified by the table's alias) with constants
 * (`=`, `<`, `<=`, `>`, `>=`, `IN`, `BETWEEN`). A table read anywhere without such a clause (a
 * join, an unfiltered scan) gets no range; neither does a table the query does not read through
 * a plain reference. Tables are matched case-insensitively; the result is keyed by lower case.
 */
export function queryScanRanges(
  parseTree: unknown,
  tables: readonly string[],
): Map<string, ScanRange | undefined> {
  const wanted = new Set(tables.map((table) => table.toLowerCase()));
  const ranges = new Map<string, ScanRange | undefined>();
  const covered = new Set<ParseNode>();
  const note = (table: string, range: ScanRange | undefined) => {
    if (!ranges.has(table)) ranges.set(table, range);
    else {
      const known = ranges.get(table);
      ranges.set(table, known && range ? unionRanges(known, range) : undefined);
    }
  };
  visitParseTree(parseTree, (node) => {
    if (node["type"] !== "SELECT_NODE") return;
    const from = node["from_table"] as ParseNode | undefined;
    if (!from || from["type"] !== "BASE_TABLE" || from["schema_name"] !== "" || from["catalog_name"] !== "")
      return;
    const table = String(from["table_name"]).toLowerCase();
    if (!wanted.has(table)) return;
    covered.add(from);
    const alias = String(from["alias"] || from["table_name"]).toLowerCase();
    note(table, rangeOfWhere(node["where_clause"] as ParseNode | null, alias));
  });
  visitParseTree(parseTree, (node) => {
    if (node["type"] !== "BASE_TABLE" || covered.has(node) || !("sample" in node)) return;
    const table = String(node["table_name"]).toLowerCase();
    if (wanted.has(table)) note(table, undefined);
  });
  return ranges;
}

function rangeOfWhere(where: ParseNode | null, alias: string): ScanRange | undefined {
  if (!where) return undefined;
  let range: ScanRange | undefined;
  for (const conjunct of conjuncts(where)) {
    const bound = boundOf(conjunct, alias);
    if (bound) range = range ? intersectRanges(range, bound) : bound;
  }
  return range;
}

function conjuncts(node: ParseNode): ParseNode[] {
  if (node["class"] === "CONJUNCTION" && node["type"] === "CONJUNCTION_AND")
    return (node["children"] as ParseNode[]).flatMap(conjuncts);
  return [node];
}

function boundOf(node: ParseNode, alias: string): ScanRange | undefined {
  const kind = node["type"] as string;
  if (node["class"] === "COMPARISON" && COMPARISONS[kind]) {
    const left = node["left"] as ParseNode;
    const right = node["right"] as ParseNode;
    const column = columnOf(left, alias);
    if (column) return bound(column, COMPARISONS[kind], [right]);
    const flipped = columnOf(right, alias);
    if (flipped) return bound(flipped, FLIPPED[COMPARISONS[kind]], [left]);
    return undefined;
  }
  if (kind === "COMPARE_IN") {
    const [first, ...values] = node["children"] as ParseNode[];
    const column = first && columnOf(first, alias);
    return column ? bound(column, "eq", values) : undefined;
  }
  if (node["class"] === "BETWEEN") {
    const column = columnOf(node["input"] as ParseNode, alias);
    if (!column) return undefined;
    const low = bound(column, "min", [node["lower"] as ParseNode]);
    const high = bound(column, "max", [node["upper"] as ParseNode]);
    return low && high ? intersectRanges(low, high) : (low ?? high);
  }
  return undefined;
}

function bound(
  column: "id" | "timestamp",
  relation: "eq" | "min" | "max",
  constants: ParseNode[],
): ScanRange | undefined {
  const values = constants.map((constant) =>
    column === "id" ? idConstant(constant) : timestampConstant(constant),
  );
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  if (column === "id") {
    const ids = values as string[];
    if (relation === "eq") return { ids };
    return relation === "min" ? { idMin: ids[0] } : { idMax: ids[0] };
  }
  const micros = values as number[];
  if (relation === "eq") return { timestampMin: Math.min(...micros), timestampMax: Math.max(...micros) };
  return relation === "min" ? { timestampMin: micros[0] } : { timestampMax: micros[0] };
}

function columnOf(node: ParseNode, alias: string): "id" | "timestamp" | undefined {
  if (node["class"] !== "COLUMN_REF") return undefined;
  const names = (node["column_names"] as string[]).map((name) => name.toLowerCase());
  const column = names.at(-1);
  if (column !== "id" && column !== "timestamp") return undefined;
  if (names.length === 1 || (names.length === 2 && names[0] === alias)) return column;
  return undefined;
}

function constantText(node: ParseNode): string | undefined {
  if (node["class"] === "CAST") {
    const target = (node["cast_type"] as ParseNode)["id"];
    return target === "VARCHAR" || target === "TIMESTAMP"
      ? constantText(node["child"] as ParseNode)
      : undefined;
  }
  if (node["class"] !== "CONSTANT") return undefined;
  const value = node["value"] as ParseNode;
  return (value["type"] as ParseNode)["id"] === "VARCHAR" && value["is_null"] === false
    ? String(value["value"])
    : undefined;
}

function idConstant(node: ParseNode): string | undefined {
  if (node["class"] === "CAST") return undefined;
  return constantText(node);
}

const TIMESTAMP_TEXT = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6})\d*)?)?)?Z?$/;

/** A timestamp literal DuckDB reads as UTC wall time; text with a zone offset is not used. */
function timestampConstant(node: ParseNode): number | undefined {
  const text = constantText(node)?.trim();
  const match = text === undefined ? null : TIMESTAMP_TEXT.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = ""] = match;
  const millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(millis) || Number(y) < 1000) return undefined;
  return millis * 1000 + Number(fraction.padEnd(6, "0"));
}
