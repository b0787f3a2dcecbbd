import { MiniodbError } from "@miniodb/core";
import { visitParseTreeWithCtes, type ParseNode } from "./parse-tree.js";

/** What the guard learned about an admitted query. */
export interface ReadOnlyQuery {
  /** Tables the query reads, as the catalog spells them, each once. */
  readonly tables: readonly string[];
}

/** The FROM-clause node types a read query may use; anything else (SHOW, table functions…) is refused. */
const ALLOWED_FROM_TYPES = new Set(["BASE_TABLE", "JOIN", "SUBQUERY", "EMPTY", "EXPRESSION_LIST", "PIVOT"]);

/**
 * Scalar functions that read the server's settings or state rather than the data. Table functions
 * (read_csv, read_parquet, glob, query, duckdb_settings…) are refused wholesale by node type.
 */
const REFUSED_FUNCTIONS = new Set([
  "current_setting",
  "getenv",
  "getvariable",
  "query",
  "query_table",
  "current_database",
  "current_schemas",
]);

/** Table functions that only generate values (no files, no catalog, no settings). */
const ALLOWED_TABLE_FUNCTIONS = new Set(["range", "generate_series", "unnest"]);

function refuse(message: string): never {
  throw new MiniodbError("invalid_argument", message, { details: { field: "sql" } });
}

/**
 * Checks DuckDB's parse tree of a statement (`json_serialize_sql`, as parsed JSON) and admits exactly
 * one read statement (SELECT, WITH, set operations, joins, subqueries, VALUES) whose every table
 * reference names a table of `knownTables` (matched case-insensitively, as DuckDB does) or a CTE in
 * scope where it is used (a CTE defined in one subquery does not cover a reference elsewhere: that
 * would let a quoted file path or a system view pass as a "CTE"). Table functions other than the value generators (range, generate_series, unnest),
 * schema- or catalog-qualified names (information_schema, system
 * views, attached databases) and functions that read settings are refused with invalid_argument
 * naming the problem. Statements DuckDB cannot serialise (INSERT, COPY, ATTACH, SET, PRAGMA,
 * INSTALL…) arrive as errors and are refused too.
 */
export function checkReadOnlyQuery(parseTree: unknown, knownTables: Iterable<string>): ReadOnlyQuery {
  const tree = parseTree as ParseNode;
  if (tree["error"] === true) {
    const kind = String(tree["error_type"]);
    const message = String(tree["error_message"]);
    if (kind === "not implemented") {
      refuse("only read statements are allowed (SELECT, WITH, UNION, joins, subqueries)");
    }
    refuse(kind === "parser" ? `SQL syntax error: ${message}` : `invalid SQL: ${message}`);
  }
  const statements = tree["statements"] as ParseNode[] | undefined;
  if (!statements || statements.length === 0) refuse("the SQL holds no statement");
  if (statements.length > 1) refuse("the SQL must hold exactly one statement");
  const catalog = new Map<string, string>();
  for (const name of knownTables) catalog.set(name.toLowerCase(), name);
  const tables = new Map<string, string>();
  visitParseTreeWithCtes(statements[0], (node, cteNames) => {
    if (typeof node["function_name"] === "string") checkFunction(node);
    const type = node["type"];
    if (typeof type !== "string" || !("query_location" in node) || !isTableRef(node)) return;
    if (type === "TABLE_FUNCTION" && ALLOWED_TABLE_FUNCTIONS.has(tableFunctionName(node))) return;
    if (!ALLOWED_FROM_TYPES.has(type)) {
      refuse(
        type === "TABLE_FUNCTION"
          ? `table functions are not allowed (${describeTableFunction(node)}); query tables by name`
          : `this kind of table reference is not allowed (${type})`,
      );
    }
    if (type === "BASE_TABLE") checkBaseTable(node, catalog, cteNames, tables);
  });
  return { tables: [...tables.values()] };
}

/** Table references are the FROM-clause nodes: they carry a `sample` key, expressions do not. */
function isTableRef(node: ParseNode): boolean {
  return "sample" in node && "alias" in node;
}

function checkBaseTable(
  node: ParseNode,
  catalog: ReadonlyMap<string, string>,
  cteNames: ReadonlySet<string>,
  tables: Map<string, string>,
): void {
  const name = String(node["table_name"]);
  const qualifier = [node["catalog_name"], node["schema_name"]].filter((part) => part !== "").join(".");
  if (qualifier !== "") refuse(`qualified table names are not allowed (${qualifier}.${name})`);
  const folded = name.toLowerCase();
  if (cteNames.has(folded)) return;
  const table = catalog.get(folded);
  if (table === undefined) {
    throw new MiniodbError("invalid_argument", `unknown table ${JSON.stringify(name)}`, {
      details: { field: "sql", table: name },
    });
  }
  tables.set(folded, table);
}

function checkFunction(node: ParseNode): void {
  const name = String(node["function_name"]).toLowerCase();
  if (REFUSED_FUNCTIONS.has(name)) refuse(`the function ${name}() is not allowed`);
}

function tableFunctionName(node: ParseNode): string {
  const call = node["function"] as ParseNode | undefined;
  return call && typeof call["function_name"] === "string" ? call["function_name"].toLowerCase() : "";
}

function describeTableFunction(node: ParseNode): string {
  const name = tableFunctionName(node);
  return name === "" ? "a table function" : `${name}()`;
}
