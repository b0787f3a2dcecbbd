export type { DuckDbEngineOptions, QueryOptions } from "./duckdb-engine.js";
export { DuckDbEngine } from "./duckdb-engine.js";
export { fromDuckDbError } from "./errors.js";
