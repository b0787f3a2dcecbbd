export type { LocalObjectStoreOptions } from "./local-object-store.js";
export { LocalObjectStore } from "./local-object-store.js";
