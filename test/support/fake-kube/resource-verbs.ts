// The verbs on a resource URL other than watch: list, create (POST) on a collection; get, update (PUT),
// merge and strategic-merge patch, server-side apply and delete on a named object; `dryRun` answers
// with the result without storing it. Watches are streams, served by watch-registry.ts. Objects are
// answered at the version of the URL (`servedAt`), whichever version stored them.
import type http from 'node:http';
import YAML from 'yaml';
import { ApiError } from './api-status.ts';
import { isRecord, readBody, sendJson } from './http-io.ts';
import { listResponse } from './list-response.ts';
import { mergePatch } from './merge-patch.ts';
import type { KubeObject, ObjectStore } from './object-store.ts';
import type { ResourceRoute } from './resource-route.ts';
import { apiVersionOf, type ResourceType, servedAt } from './resources.ts';

export async function serveResource(
  store: ObjectStore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
): Promise<void> {
  const { type, namespace, name } = route;
  const resource = type.resource;
  const method = req.method ?? 'GET';
  const dryRun = query.has('dryRun');
  const reply = (status: number, obj: KubeObject) => sendJson(res, status, servedAt(obj, type));
  if (name === undefined) {
    if (method === 'GET') return sendJson(res, 200, listResponse(store, route, query));
    if (method === 'POST') {
      if (namespace === undefined && type.namespaced !== false)
        throw new ApiError(405, 'MethodNotAllowed', 'create needs a namespace');
      const obj = checkedBody(await readBody(req), type, namespace ?? '', undefined);
      return reply(201, dryRun ? obj : store.create(resource, obj));
    }
    throw new ApiError(405, 'MethodNotAllowed', `${method} on a collection`);
  }
  const ns = namespace ?? '';
  const current = (): KubeObject => {
    const found = store.get(resource, ns, name);
    if (!found) throw new ApiError(404, 'NotFound', `${resource} "${name}" not found`);
    return found;
  };
  switch (method) {
    case 'GET':
      return reply(200, current());
    case 'PUT': {
      const obj = checkedBody(await readBody(req), type, ns, name);
      return reply(200, dryRun ? obj : store.update(resource, obj, obj.metadata.resourceVersion));
    }
    case 'PATCH': {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
      if (contentType === 'application/apply-patch+yaml') {
        const applied = applyPatch(store, type, ns, name, await readBody(req), query);
        return reply(applied.status, applied.object);
      }
      if (
        contentType !== 'application/merge-patch+json' &&
        contentType !== 'application/strategic-merge-patch+json'
      ) {
        throw new ApiError(415, 'UnsupportedMediaType', `the fake does not support ${contentType} patches`);
      }
      const patch: unknown = JSON.parse((await readBody(req)).toString('utf8'));
      const before = current();
      const patched = mergePatch(before, patch) as KubeObject;
      // Name and namespace cannot be patched; a resourceVersion in the patch is a precondition.
      patched.metadata = { ...patched.metadata, name, namespace: ns };
      const expected =
        isRecord(patch) && isRecord(patch['metadata']) ? patch['metadata']['resourceVersion'] : undefined;
      const result = dryRun
        ? patched
        : store.update(resource, patched, typeof expected === 'string' ? expected : undefined);
      return reply(200, result);
    }
    case 'DELETE':
      return reply(200, dryRun ? current() : store.delete(resource, ns, name));
    default:
      throw new ApiError(405, 'MethodNotAllowed', method);
  }
}

/**
 * Server-side apply (`kubectl apply --server-side`: PATCH with application/apply-patch+yaml and a
 * fieldManager): creates the object when it does not exist (201), else merges the applied
 * configuration into it (200). Simplified: the fake keeps no managedFields, so it neither removes
 * fields a manager stopped applying nor reports conflicts between managers.
 */
function applyPatch(
  store: ObjectStore,
  type: ResourceType,
  namespace: string,
  name: string,
  body: Buffer,
  query: URLSearchParams,
): { status: 200 | 201; object: KubeObject } {
  if (!query.get('fieldManager')) {
    throw new ApiError(422, 'Invalid', 'fieldManager: Required value: is required for apply patch');
  }
  const applied = checkedBody(body, type, namespace, name);
  const dryRun = query.has('dryRun');
  const before = store.get(type.resource, namespace, name);
  if (!before) return { status: 201, object: dryRun ? applied : store.create(type.resource, applied) };
  const merged = mergePatch(before, applied) as KubeObject;
  merged.metadata = { ...merged.metadata, resourceVersion: before.metadata.resourceVersion };
  return { status: 200, object: dryRun ? merged : store.update(type.resource, merged) };
}

/** The parsed body of a create or update, checked against the URL (kind, namespace, name). */
function checkedBody(
  body: Buffer,
  type: ResourceType,
  namespace: string,
  name: string | undefined,
): KubeObject {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = YAML.parse(text); // JSON is YAML; kubectl sends JSON, curl users may send YAML
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `cannot parse the body: ${(e as Error).message}`);
  }
  if (!isRecord(parsed) || !isRecord(parsed['metadata'])) {
    throw new ApiError(400, 'BadRequest', 'the body is not an object with metadata');
  }
  const obj = parsed as KubeObject;
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw new ApiError(400, 'BadRequest', `kind ${obj.kind} posted to ${type.resource}`);
  }
  if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
    throw new ApiError(
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  if (name !== undefined && obj.metadata.name !== name) {
    throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
  }
  return {
    ...obj,
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: { ...obj.metadata, namespace },
  };
}
