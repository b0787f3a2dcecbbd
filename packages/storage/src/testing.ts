/** Test support for ObjectStore implementations: `@miniodb/storage/testing`. */
export type { ObjectStoreFixture } from "./testing/object-store-contract.js";
export { describeObjectStoreContract } from "./testing/object-store-contract.js";
export { S3rverProcess } from "./testing/s3rver-process.js";
