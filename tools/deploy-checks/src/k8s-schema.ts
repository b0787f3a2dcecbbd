import { Namespace, ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import type { K8sObject } from "./k8s-manifests.js";

/** The kinds the manifests use, each with its model generated from the Kubernetes OpenAPI schema. */
const MODELS: Record<string, { apiVersion: string; validate(object: K8sObject): void }> = {};
for (const [kind, apiVersion, Model] of [
  ["Namespace", "v1", Namespace],
  ["ConfigMap", "v1", ConfigMap],
  ["Secret", "v1", Secret],
  ["Service", "v1", Service],
  ["Deployment", "apps/v1", Deployment],
  ["StatefulSet", "apps/v1", StatefulSet],
  ["Job", "batch/v1", Job],
  ["PodDisruptionBudget", "policy/v1", PodDisruptionBudget],
] as const) {
  MODELS[kind] = {
    apiVersion,
    validate: (object) => new (Model as new (data: unknown) => { validate(): void })(object).validate(),
  };
}

/** Schema problems of `object` (unknown kind or version, missing or mistyped fields); empty when valid. */
export function schemaProblems(object: K8sObject): string[] {
  const model = MODELS[object.kind];
  if (!model) return [`kind ${object.kind} is not one the checks know`];
  if (object.apiVersion !== model.apiVersion)
    return [`${object.kind} must be ${model.apiVersion}, not ${object.apiVersion}`];
  try {
    model.validate(object);
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
