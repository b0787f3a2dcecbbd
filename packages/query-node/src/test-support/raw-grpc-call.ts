import assert from "node:assert/strict";
import http2 from "node:http2";

/**
 * Sends one raw gRPC request (`body` as it is, so also a malformed one) and answers its status,
 * from the trailers or from the headers of a trailers-only answer.
 */
export async function rawGrpcCall(
  baseUrl: string,
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ grpcStatus: string | undefined; grpcMessage: string | undefined }> {
  const session = http2.connect(baseUrl);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      let status: Record<string, unknown> = {};
      stream.on("response", (head) => (status = head));
      stream.on("trailers", (trailers) => (status = { ...status, ...trailers }));
      stream.on("data", () => undefined);
      stream.on("end", () =>
        resolve({
          grpcStatus: status["grpc-status"] as string | undefined,
          grpcMessage: status["grpc-message"] as string | undefined,
        }),
      );
      stream.on("error", reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

/** Waits until `condition` holds, failing after 10 s. */
export async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt++) {
    assert.ok(attempt < 500, "condition met within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
