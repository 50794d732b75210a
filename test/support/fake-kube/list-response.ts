// A list answer: a `<Kind>List` with the store's resourceVersion, filtered by label and field selectors,
// and paged with `limit`/`continue` like the API server (the continue token names the snapshot and
// the last key served; it expires with a compaction, answered with 410 Expired).
import { ApiError } from './api-status.ts';
import { isRecord } from './http-io.ts';
import type { KubeObject, ObjectStore } from './object-store.ts';
import { parseSelector, type ResourceRoute } from './resource-route.ts';
import { apiVersionOf } from './resources.ts';
import { objectFields, parseFieldSelector, parseLabelSelector } from './selectors.ts';

export function listResponse(store: ObjectStore, route: ResourceRoute, query: URLSearchParams) {
  const labels = parseSelector(parseLabelSelector, query.get('labelSelector'));
  const fields = parseSelector(parseFieldSelector, query.get('fieldSelector'));
  const all = store
    .list(route.type.resource, route.namespace)
    .filter((o) => labels(o.metadata.labels ?? {}) && fields(objectFields(o)));
  const limit = Number(query.get('limit') ?? 0);
  let start = 0;
  let resourceVersion = store.resourceVersion;
  const token = query.get('continue');
  if (token) {
    const parsed = decodeContinue(token);
    // A continue token outlives neither a compaction nor its snapshot, like the API server's.
    if (store.changesSince(route.type.resource, Number(parsed.rv)) === 'gone') {
      throw new ApiError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result.',
      );
    }
    start = all.findIndex((o) => keyOf(o) > parsed.after);
    if (start < 0) start = all.length;
    resourceVersion = parsed.rv;
  }
  const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const metadata: Record<string, unknown> = { resourceVersion };
  const last = page.at(-1);
  if (limit > 0 && last && start + page.length < all.length) {
    metadata['continue'] = Buffer.from(JSON.stringify({ rv: resourceVersion, after: keyOf(last) })).toString(
      'base64url',
    );
    metadata['remainingItemCount'] = all.length - start - page.length;
  }
  return {
    kind: `${route.type.kind}List`,
    apiVersion: apiVersionOf(route.type),
    metadata,
    // The API server leaves kind and apiVersion off the items of a list.
    items: page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
  };
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function decodeContinue(token: string): { rv: string; after: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(parsed) && typeof parsed['rv'] === 'string' && typeof parsed['after'] === 'string') {
      return { rv: parsed['rv'], after: parsed['after'] };
    }
  } catch {
    // fall through to the 400
  }
  throw new ApiError(400, 'BadRequest', 'invalid continue token');
}
