import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "@miniodb/query-node";
import { configKeyOfVariable, documentedConfigKeys, documentedVariables, isKnownKey } from "./config-keys.js";
import { K8S_DIR, loadManifests, type K8sObject } from "./k8s-manifests.js";
import { schemaProblems } from "./k8s-schema.js";
import {
  containerEnvironment,
  podTemplateOf,
  selects,
  type Container,
  type Probe,
  type WorkloadSpec,
} from "./pod-template.js";
import { startSourceNode, type SourceNode } from "./source-node.js";

const manifests = loadManifests();
const objects = manifests.map((manifest) => manifest.object);
const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
const named = (kind: string, name: string) => ofKind(kind).find((object) => object.metadata.name === name);
const workloads = objects.filter((object) => podTemplateOf(object) !== undefined);
const sources = {
  configMaps: new Map(ofKind("ConfigMap").map((map) => [map.metadata.name, map.data ?? {}])),
  secrets: new Map(
    ofKind("Secret").map((secret) => [secret.metadata.name, { ...secret.data, ...secret.stringData }]),
  ),
};
const nodeWorkloads = workloads.filter((object) =>
  podTemplateOf(object)!.spec.containers.some((container) => container.image.startsWith("miniodb:")),
);
const FIELD_REFS = { "metadata.name": "miniodb-worker-0", "status.podIP": "10.0.0.7" };

function nodeContainer(workload: K8sObject): Container {
  return podTemplateOf(workload)!.spec.containers.find((container) =>
    container.image.startsWith("miniodb:"),
  )!;
}

function portNumber(container: Container, port: string | number): number {
  if (typeof port === "number") return port;
  const found = container.ports?.find((candidate) => candidate.name === port);
  assert.ok(found, `${container.name}: no port named ${port}`);
  return found.containerPort;
}

describe("deploy/k8s manifests", () => {
  it("are valid against the Kubernetes schema of their kind", () => {
    assert.ok(manifests.length >= 12, `${manifests.length} documents`);
    for (const { file, object } of manifests) {
      assert.deepEqual(schemaProblems(object), [], `${file}: ${object.kind} ${object.metadata?.name}`);
    }
  });

  it("apply in the order of the deployment guide, all into the miniodb namespace", () => {
    for (const path of ["namespace.yaml", "configmap.yaml", "secret.yaml", "redis", "minio", "miniodb"]) {
      assert.ok(existsSync(join(K8S_DIR, path)), path);
    }
    assert.ok(named("Namespace", "miniodb"));
    for (const { file, object } of manifests) {
      if (object.kind !== "Namespace")
        assert.equal(object.metadata.namespace, "miniodb", `${file}: ${object.metadata.name}`);
    }
  });

  it("select their own pods: workloads, Services and PodDisruptionBudgets", () => {
    for (const workload of workloads) {
      const spec = workload.spec as unknown as WorkloadSpec;
      if (workload.kind !== "Job")
        assert.ok(selects(spec.selector.matchLabels, spec.template.metadata.labels), workload.metadata.name);
    }
    const selected = (selector: Record<string, string>) =>
      workloads.filter(
        (workload) => workload.kind !== "Job" && selects(selector, podTemplateOf(workload)!.metadata.labels),
      );
    for (const service of ofKind("Service")) {
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: Array<{ targetPort: string | number }>;
      };
      const targets = selected(spec.selector);
      assert.equal(targets.length, 1, `Service ${service.metadata.name} selects one workload`);
      for (const { targetPort } of spec.ports) {
        const containers = podTemplateOf(targets[0]!)!.spec.containers;
        assert.ok(
          containers.some((container) =>
            container.ports?.some((port) => port.name === targetPort || port.containerPort === targetPort),
          ),
          `Service ${service.metadata.name}: target port ${targetPort}`,
        );
      }
    }
    for (const budget of ofKind("PodDisruptionBudget")) {
      const spec = budget.spec as { selector: { matchLabels: Record<string, string> } };
      assert.equal(
        selected(spec.selector.matchLabels).length,
        1,
        `PodDisruptionBudget ${budget.metadata.name}`,
      );
    }
  });

  it("give each StatefulSet a headless Service and mount only volumes that exist", () => {
    for (const set of ofKind("StatefulSet")) {
      const spec = set.spec as unknown as WorkloadSpec;
      const service = named("Service", spec.serviceName!);
      assert.equal(
        (service?.spec as { clusterIP?: string } | undefined)?.clusterIP,
        "None",
        `${set.metadata.name}'s Service`,
      );
    }
    for (const workload of workloads) {
      const spec = workload.spec as unknown as WorkloadSpec;
      const volumes = new Set([
        ...(spec.template.spec.volumes ?? []).map((volume) => volume.name),
        ...(spec.volumeClaimTemplates ?? []).map((claim) => claim.metadata.name),
      ]);
      for (const container of spec.template.spec.containers) {
        for (const mount of container.volumeMounts ?? [])
          assert.ok(volumes.has(mount.name), `${workload.metadata.name}: ${mount.name}`);
      }
    }
  });

  it("refer only to ConfigMap and Secret keys that exist", () => {
    for (const workload of workloads) {
      for (const container of podTemplateOf(workload)!.spec.containers) {
        assert.doesNotThrow(
          () => containerEnvironment(container, sources, FIELD_REFS),
          workload.metadata.name,
        );
      }
    }
  });

  it("run the nodes unprivileged with an environment the node accepts, documented keys only", () => {
    const documented = documentedConfigKeys();
    const variables = [...documentedVariables(), "POD_NAME", "POD_IP"];
    assert.deepEqual(nodeWorkloads.map((workload) => workload.kind).sort(), ["Deployment", "StatefulSet"]);
    for (const workload of nodeWorkloads) {
      const name = workload.metadata.name;
      const security = podTemplateOf(workload)!.spec.securityContext;
      assert.equal(security?.runAsNonRoot, true, name);
      assert.equal(security?.runAsUser, 10001, `${name} runs as the image's user`);
      const env = containerEnvironment(nodeContainer(workload), sources, FIELD_REFS);
      for (const [variable, value] of Object.entries(env)) {
        const key = configKeyOfVariable(variable);
        if (key === undefined)
          assert.ok(variables.includes(variable), `${name}: ${variable}=${value} is not read by the node`);
        else assert.ok(isKnownKey(key, documented), `${name}: ${variable} → ${key} is not documented`);
      }
      const config = loadConfig({ env });
      assert.equal(config.node.role, env["MINIODB_NODE__ROLE"], name);
      // Nodes listening beyond the loopback interface start only with auth configured.
      assert.ok(
        config.auth.jwt.secret && config.auth.api_keys.length > 0,
        `${name} has a JWT secret and API keys`,
      );
      assert.equal(config.metadata.backend, "redis", name);
      assert.equal(config.storage.backend, "s3", name);
      assert.equal(config.storage.backup?.endpoint, "http://minio-backup:9000", name);
      assert.equal(config.server.host, "0.0.0.0", name);
    }
  });

  it("give workers stable ids from the pod name and keep their data and WAL on a persistent volume", () => {
    const workers = named("StatefulSet", "miniodb-worker")!;
    const container = nodeContainer(workers);
    const env = containerEnvironment(container, sources, FIELD_REFS);
    assert.equal(env["MINIODB_NODE__ROLE"], "worker");
    assert.equal(env["MINIODB_NODE__ID"], FIELD_REFS["metadata.name"]);
    assert.equal(
      env["MINIODB_CLUSTER__ADVERTISE_ADDRESS"],
      `miniodb-worker-0.miniodb-worker.miniodb.svc.cluster.local:${env["MINIODB_CLUSTER__PORT"]}`,
    );
    const claims = (workers.spec as unknown as WorkloadSpec).volumeClaimTemplates!.map(
      (claim) => claim.metadata.name,
    );
    const dataMount = container.volumeMounts!.find(
      (mount) => mount.mountPath === env["MINIODB_NODE__DATA_DIR"],
    );
    assert.ok(
      dataMount && claims.includes(dataMount.name),
      "the data directory (WAL included) is a volume claim",
    );
    const budget = named("PodDisruptionBudget", "miniodb-worker")!;
    assert.equal((budget.spec as { maxUnavailable?: number }).maxUnavailable, 1, "one worker down at a time");
  });

  describe("probes", () => {
    let node: SourceNode;
    before(async () => {
      node = await startSourceNode();
    });
    after(() => node?.stop());

    it("check the ports each node listens on, and HTTP paths a running node answers with 200", async () => {
      for (const workload of nodeWorkloads) {
        const container = nodeContainer(workload);
        const env = containerEnvironment(container, sources, FIELD_REFS);
        const listening =
          env["MINIODB_NODE__ROLE"] === "worker"
            ? [Number(env["MINIODB_CLUSTER__PORT"])]
            : [Number(env["MINIODB_SERVER__GRPC_PORT"]), Number(env["MINIODB_SERVER__REST_PORT"])];
        for (const kind of ["readinessProbe", "livenessProbe"] as const) {
          const probe: Probe | undefined = container[kind];
          assert.ok(probe, `${workload.metadata.name} has a ${kind}`);
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          assert.ok(port !== undefined, `${workload.metadata.name} ${kind} probes a port`);
          assert.ok(
            listening.includes(portNumber(container, port)),
            `${workload.metadata.name} ${kind} port ${port}`,
          );
          if (probe.httpGet) {
            const response = await fetch(`http://127.0.0.1:${node.ports.rest}${probe.httpGet.path}`);
            assert.equal(response.status, 200, `${workload.metadata.name} ${kind} ${probe.httpGet.path}`);
          }
        }
      }
    });
  });
});
