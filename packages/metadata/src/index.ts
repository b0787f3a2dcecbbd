export type { EmbeddedMetadataStoreOptions } from "./embedded-metadata-store.js";
export { EmbeddedMetadataStore } from "./embedded-metadata-store.js";
export type { SqliteDatabase, SqliteMigration } from "./sqlite-database.js";
export { openSqliteDatabase } from "./sqlite-database.js";
