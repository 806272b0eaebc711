// Offline schema validation of rendered Kubernetes objects: the Kubernetes API's OpenAPI schemas
// (kubernetes-models) and the CRD schemas of KEDA and cert-manager (@kubernetes-models/*), each
// compiled to an ajv validator in the package, so no cluster and no network are involved.
// Like the API server, the schemas leave unknown fields alone (kubectl's strict field validation
// needs a server); types, required fields, enums and quantity/port formats are checked.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, any>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** API groups whose schemas come from a CRD package instead of kubernetes-models. */
const CRD_PACKAGES: Record<string, string> = {
  'keda.sh': '@kubernetes-models/keda',
  'cert-manager.io': '@kubernetes-models/cert-manager',
};

export class SchemaError extends Error {}

/** `kubectl kustomize DIR`: the objects exactly as `kubectl apply -k DIR` would send them. */
export function kustomize(dir: string): K8sObject[] {
  const rendered = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(rendered).map((doc) => {
    if (doc.errors.length > 0) throw new SchemaError(`kubectl kustomize ${dir} printed invalid YAML: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  });
}

/** Throws a SchemaError naming the object and every schema violation; an unknown apiVersion/kind is one too. */
export async function validateObject(object: K8sObject): Promise<void> {
  const where = `${object.kind}/${object.metadata?.name} (${object.apiVersion})`;
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models';
  let model: { validate(): void };
  try {
    const module = await import(`${pkg}/${object.apiVersion}/${object.kind}`);
    model = new module[object.kind](object);
  } catch (error) {
    throw new SchemaError(`${where}: no schema for this apiVersion and kind`, { cause: error });
  }
  try {
    model.validate();
  } catch (error) {
    throw new SchemaError(`${where}: ${(error as Error).message}`, { cause: error });
  }
}
