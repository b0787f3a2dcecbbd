/**
 * Column types whose VARCHAR rendering casts back to the same value: integers of every width,
 * DOUBLE and FLOAT (DuckDB prints the shortest text that reads back exactly), DECIMAL, BOOLEAN,
 * VARCHAR, UUID, DATE, TIME, TIMESTAMP (every precision; WITH TIME ZONE prints its offset) and
 * INTERVAL, and lists of them (DuckDB quotes list items that need it, e.g. the partial sets of
 * COUNT(DISTINCT)). JSON travels as Parquet: the cast back reformats its text, and a JSON list
 * prints a NULL item as a bare NULL, which is not JSON. Other nested types and binary ones too.
 */
const TEXT_EXACT =
  /^(?:U?(?:TINY|SMALL|BIG|HUGE)?INT(?:EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|BOOLEAN|VARCHAR|UUID|DATE|TIME|TIMESTAMP(?:_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|INTERVAL)(?:\[\])?$/;

/** Whether a value of this DuckDB type casts back exactly from its VARCHAR rendering (see above). */
export function readsBackFromText(type: string): boolean {
  return TEXT_EXACT.test(type);
}
