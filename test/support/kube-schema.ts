// Validates Kubernetes objects against the API's own schemas, as kubeconform --strict would:
// - types, formats, enums and required fields from `kubernetes-models` (ajv validators generated from
//   the Kubernetes OpenAPI document; `@kubernetes-models/istio` from Istio's CRDs);
// - unknown fields (a misspelt `imagePullPolicyy` that the API server would drop, or reject with
//   fieldValidation=Strict) from the field lists of @kubernetes/client-node's models, which are
//   generated from the same OpenAPI document. kubernetes-models' schemas allow additional properties,
//   so this is the half that catches typos.
// Istio objects get the first check only (client-node has no Istio models).
import * as k8s from '@kubernetes/client-node';

export interface SchemaProblem {
  object: string;
  message: string;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** The kubernetes-models module of an apiVersion/kind: core `v1/Pod`, `apps/v1/Deployment`, Istio's. */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const spec = group?.endsWith('istio.io')
    ? `@kubernetes-models/istio/${group}/${version}/${kind}`
    : `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
  try {
    const mod = (await import(spec)) as Record<string, unknown>;
    return mod[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

interface Attribute {
  baseName: string;
  type: string;
}
type ClientModel = { getAttributeTypeMap(): Attribute[] };

function clientModel(type: string): ClientModel | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[type];
  return typeof m === 'function' && 'getAttributeTypeMap' in m ? (m as unknown as ClientModel) : undefined;
}

/** client-node's model name for a kind: `V1Deployment` for apps/v1 Deployment, `V1Pod` for v1 Pod. */
function clientModelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').at(-1) ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** Paths of fields the model does not declare, walking nested models, arrays and maps. */
function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) unknownFields(v, array[1]!, `${path}[${i}]`, out);
    }
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${path}.${k}`, out);
    return;
  }
  const model = clientModel(type);
  if (!model || typeof value !== 'object' || Array.isArray(value)) return;
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const t = attributes.get(k);
    if (t === undefined) out.push(`${path}.${k}`);
    else unknownFields(v, t, `${path}.${k}`, out);
  }
}

/** Problems with one object (none when it is valid); an unknown apiVersion/kind is a problem. */
export async function validateKubeObject(obj: Record<string, unknown>): Promise<SchemaProblem[]> {
  const apiVersion = String(obj['apiVersion'] ?? '');
  const kind = String(obj['kind'] ?? '');
  const meta = obj['metadata'] as { name?: string; namespace?: string } | undefined;
  const object = `${apiVersion}/${kind} ${meta?.namespace ? `${meta.namespace}/` : ''}${meta?.name ?? '?'}`;
  const Model = await modelClass(apiVersion, kind);
  if (!Model) return [{ object, message: `no schema for ${apiVersion} ${kind}` }];
  const problems: SchemaProblem[] = [];
  try {
    new Model(obj).validate();
  } catch (e) {
    problems.push({ object, message: (e as Error).message });
  }
  const name = clientModelName(apiVersion, kind);
  if (clientModel(name)) {
    const unknown: string[] = [];
    unknownFields(obj, name, '', unknown);
    for (const p of unknown) problems.push({ object, message: `unknown field ${p.slice(1)}` });
  }
  return problems;
}
