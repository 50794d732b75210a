// The k8s/ kustomizations as the objects `kubectl kustomize` renders (kubectl's built-in kustomize,
// the one `kubectl apply -k` uses), and lookups over them.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { defaultSearchPath } from './system-tools.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const K8S_DIR = join(REPO_ROOT, 'k8s');
/** Every kustomization users apply: the base and each overlay. */
export const KUSTOMIZATIONS = ['base', 'overlays/demo', 'overlays/envoy', 'overlays/istio'] as const;
export type Kustomization = (typeof KUSTOMIZATIONS)[number];

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export interface Rendered {
  /** The multi-document YAML kubectl printed. */
  yaml: string;
  objects: RenderedObject[];
}

/**
 * The installed kubectl (Google's `kubectl` apt package, or any on PATH; kustomize v5 is built in since
 * kubectl 1.27). Debian's own `kubernetes-client` is 1.20, whose kustomize is too old for k8s/.
 */
export function findKubectl(): string {
  const searched = defaultSearchPath();
  for (const dir of searched) {
    try {
      accessSync(join(dir, 'kubectl'), constants.X_OK);
      return join(dir, 'kubectl');
    } catch {
      // next directory
    }
  }
  throw new Error(`kubectl not found (searched ${searched.join(', ')}); install kubectl 1.27 or later`);
}

/** Runs `kubectl kustomize k8s/<which>`; rejects with kubectl's stderr when it fails. */
export async function renderKustomization(which: Kustomization | string): Promise<Rendered> {
  const kubectl = findKubectl();
  const yaml = await new Promise<string>((resolve, reject) => {
    execFile(
      kubectl,
      ['kustomize', join(K8S_DIR, which)],
      { timeout: 30_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl kustomize k8s/${which}: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
  const objects = YAML.parseAllDocuments(yaml).map((d) => {
    if (d.errors.length > 0) throw new Error(`k8s/${which}: ${d.errors[0]?.message}`);
    return d.toJS() as RenderedObject;
  });
  return { yaml, objects };
}

/** The one object of a kind and name (and namespace); throws naming what is missing. */
export function find(objects: readonly RenderedObject[], kind: string, name: string, namespace?: string) {
  const found = objects.filter(
    (o) =>
      o.kind === kind &&
      o.metadata.name === name &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}
