const WRITE_PATHS = new Set([
  "/miniodb.v1.MinIODBService/WriteData",
  "/miniodb.v1.MinIODBService/StreamWrite",
]);

/**
 * Content types of binary (protobuf) requests in gRPC, gRPC-web and Connect: `application/grpc`,
 * `application/grpc+proto`, `application/grpc-web(+proto)`, `application/proto`,
 * `application/connect+proto`, with optional parameters.
 */
const BINARY_CONTENT_TYPE = /^application\/(?:grpc(?:-web)?(?:\+proto)?|proto|connect\+proto)\s*(?:;|$)/i;

/** Whether a request is a WriteData or StreamWrite call with a protobuf-encoded body. */
export function isBinaryWrite(url: string | undefined, contentType: string | undefined): boolean {
  if (url === undefined || contentType === undefined) return false;
  const query = url.indexOf("?");
  return WRITE_PATHS.has(query < 0 ? url : url.slice(0, query)) && BINARY_CONTENT_TYPE.test(contentType);
}
