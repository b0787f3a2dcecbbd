export type { MiniodbClient, MiniodbClientOptions, MiniodbProtocol } from "./create-miniodb-client.js";
export { createMiniodbClient } from "./create-miniodb-client.js";
