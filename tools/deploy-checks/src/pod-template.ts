import type { K8sObject } from "./k8s-manifests.js";

export interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
  };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: Container[];
    volumes?: Array<{ name: string }>;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  };
}

export interface WorkloadSpec {
  selector: { matchLabels: Record<string, string> };
  template: PodTemplate;
  serviceName?: string;
  volumeClaimTemplates?: Array<{ metadata: { name: string } }>;
}

/** The pod template of a Deployment, StatefulSet or Job; undefined for other kinds. */
export function podTemplateOf(object: K8sObject): PodTemplate | undefined {
  if (!["Deployment", "StatefulSet", "Job"].includes(object.kind)) return undefined;
  return (object.spec as unknown as WorkloadSpec).template;
}

/** Whether every label of `selector` is on `labels`. */
export function selects(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/**
 * The environment a container sees, as Kubernetes builds it: `envFrom` sources, then `env` entries
 * in order, with `$(VAR)` expanded from entries defined before. `fieldRefs` stands in for the
 * downward API (e.g. `metadata.name` → a pod name).
 */
export function containerEnvironment(
  container: Container,
  sources: { configMaps: Map<string, Record<string, string>>; secrets: Map<string, Record<string, string>> },
  fieldRefs: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const source = from.configMapRef
      ? sources.configMaps.get(from.configMapRef.name)
      : sources.secrets.get(from.secretRef!.name);
    if (!source)
      throw new Error(
        `${container.name}: envFrom refers to a missing ${from.configMapRef ? "ConfigMap" : "Secret"}`,
      );
    Object.assign(env, source);
  }
  for (const variable of container.env ?? []) {
    env[variable.name] = resolveVariable(variable, env, sources, fieldRefs, container.name);
  }
  return env;
}

function resolveVariable(
  variable: EnvVar,
  env: Record<string, string>,
  sources: { configMaps: Map<string, Record<string, string>>; secrets: Map<string, Record<string, string>> },
  fieldRefs: Record<string, string>,
  container: string,
): string {
  const from = variable.valueFrom;
  if (from?.fieldRef) {
    const value = fieldRefs[from.fieldRef.fieldPath];
    if (value === undefined)
      throw new Error(`${container}: ${variable.name} reads unknown field ${from.fieldRef.fieldPath}`);
    return value;
  }
  const ref = from?.configMapKeyRef ?? from?.secretKeyRef;
  if (ref) {
    const source = (from?.configMapKeyRef ? sources.configMaps : sources.secrets).get(ref.name);
    const value = source?.[ref.key];
    if (value === undefined)
      throw new Error(`${container}: ${variable.name} refers to missing ${ref.name}/${ref.key}`);
    return value;
  }
  return (variable.value ?? "").replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string) => {
    const value = env[name];
    if (value === undefined)
      throw new Error(`${container}: ${variable.name} uses $(${name}) before it is defined`);
    return value;
  });
}
