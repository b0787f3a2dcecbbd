// Container health check of a MinIODB node; exit 0 when healthy, 1 otherwise.
// GET /v1/health must answer 200: on the REST port for query and all-in-one nodes, on the cluster
// port for worker nodes (node.role worker), which serve their health and metrics there.
// Reads the same variables as the node: MINIODB_NODE__ROLE, MINIODB_SERVER__REST_PORT,
// MINIODB_CLUSTER__PORT (defaults 8081 and 7070).
const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2_000);
const role = process.env.MINIODB_NODE__ROLE ?? "all-in-one";

function fail(reason) {
  process.stderr.write(`unhealthy: ${reason}\n`);
  process.exit(1);
}

const port =
  role === "worker"
    ? Number(process.env.MINIODB_CLUSTER__PORT ?? 7070)
    : Number(process.env.MINIODB_SERVER__REST_PORT ?? 8081);
try {
  const response = await fetch(`http://127.0.0.1:${port}/v1/health`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (response.status !== 200) fail(`/v1/health answered ${response.status}: ${await response.text()}`);
  process.exit(0);
} catch (error) {
  fail(`/v1/health: ${error instanceof Error ? error.message : String(error)}`);
}
