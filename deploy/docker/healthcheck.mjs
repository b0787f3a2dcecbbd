// Container health check of a MinIODB node; exit 0 when healthy, 1 otherwise.
// Query and all-in-one nodes: GET /v1/health on the REST port must answer 200.
// Worker nodes (node.role worker) serve only the cluster port: it must accept a connection.
// Reads the same variables as the node: MINIODB_NODE__ROLE, MINIODB_SERVER__REST_PORT,
// MINIODB_CLUSTER__PORT (defaults 8081 and 7070).
import { connect } from "node:net";

const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2_000);
const role = process.env.MINIODB_NODE__ROLE ?? "all-in-one";

function fail(reason) {
  process.stderr.write(`unhealthy: ${reason}\n`);
  process.exit(1);
}

if (role === "worker") {
  const port = Number(process.env.MINIODB_CLUSTER__PORT ?? 7070);
  const socket = connect({ host: "127.0.0.1", port, timeout: TIMEOUT_MS });
  socket.once("connect", () => {
    socket.destroy();
    process.exit(0);
  });
  socket.once("timeout", () => fail(`cluster port ${port} did not accept a connection`));
  socket.once("error", (error) => fail(`cluster port ${port}: ${error.message}`));
} else {
  const port = Number(process.env.MINIODB_SERVER__REST_PORT ?? 8081);
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/health`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status !== 200) fail(`/v1/health answered ${response.status}: ${await response.text()}`);
    process.exit(0);
  } catch (error) {
    fail(`/v1/health: ${error instanceof Error ? error.message : String(error)}`);
  }
}
