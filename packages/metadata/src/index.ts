export type { SqliteDatabase, SqliteMigration } from "./sqlite-database.js";
export { openSqliteDatabase } from "./sqlite-database.js";
