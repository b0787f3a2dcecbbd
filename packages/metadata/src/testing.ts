/** Test support for MetadataStore implementations: `@miniodb/metadata/testing`. */
export type { MetadataStoreFixture } from "./testing/metadata-store-contract.js";
export { describeMetadataStoreContract } from "./testing/metadata-store-contract.js";
