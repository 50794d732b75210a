// A fake Kubernetes API server on 127.0.0.1 (plain HTTP) that speaks enough of the real wire protocol
// for @kubernetes/client-node informers and the installed kubectl: discovery (`/version`, `/api`,
// `/apis`, resource lists with verbs), list (resourceVersion, limit/continue, label and field
// selectors), get, watch (chunked JSON lines, replay from a resourceVersion, 410 Gone after a
// compaction), create, update, merge and strategic-merge patch, server-side apply (simplified: see
// `applyPatch`), delete, cluster-scoped resources, and `pods/proxy` to pod IPs.
//
// Every request is recorded in `requests`; with FAKE_KUBE_REQUEST_LOG=<file> in the environment each
// one is also appended to that file as a JSON line (`LoggedRequest`), from every fake in every test
// process, which is how test/integration/k8s/rbac.test.ts sees what the dashboard asked for.
//
// Test hooks change the cluster behind the clients' backs: `apply`/`remove` objects, `expireHistory()`
// (the next watch from an old resourceVersion gets 410), `dropWatches()` (close or reset open watches),
// `failNextWatch(status)` (the next watch request fails with that status).
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import YAML from 'yaml';
import { ApiError, reasonOf, statusBody } from './fake-kube/api-status.ts';
import { isRecord, readBody, sendJson } from './fake-kube/http-io.ts';
import { listResponse } from './fake-kube/list-response.ts';
import { mergePatch } from './fake-kube/merge-patch.ts';
import { type KubeObject, ObjectStore } from './fake-kube/object-store.ts';
import { parseProxyTarget, proxyToPod, resolvePodPort } from './fake-kube/pod-proxy.ts';
import { matchResource, parseSelector, type ResourceRoute } from './fake-kube/resource-route.ts';
import {
  apiGroupList,
  apiResourceList,
  apiVersionOf,
  coreApiVersions,
  type ResourceType,
  resourceTypeOf,
  versionInfo,
} from './fake-kube/resources.ts';
import { parseFieldSelector, parseLabelSelector } from './fake-kube/selectors.ts';
import { WatchStream } from './fake-kube/watch-stream.ts';

export type { KubeObject } from './fake-kube/object-store.ts';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** One line of the FAKE_KUBE_REQUEST_LOG file. */
export interface LoggedRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  userAgent: string | undefined;
}

interface WatchFailure {
  status: number;
  resource: string | undefined;
  remaining: number;
}

const MAX_RECORDED = 2_000;
export class FakeKubeApiServer {
  readonly store = new ObjectStore();
  /** Requests received, oldest first (bounded); for assertions on paths, queries and headers. */
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly watches = new Set<WatchStream>();
  private readonly sockets = new Set<net.Socket>();
  private readonly failures: WatchFailure[] = [];
  private goneAs: 'event' | 'status' = 'event';
  /** API groups answered as not installed (a cluster without that CRD): 404, and absent from `/apis`. */
  private readonly hiddenGroups = new Set<string>();
  private port = 0;

  constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.store.subscribe((change) => {
      for (const w of this.watches) w.deliver(change);
    });
  }

  /** Listens on 127.0.0.1 (a free port unless one is given) and resolves with the base URL. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Ends every watch and connection and stops listening. */
  async close(): Promise<void> {
    for (const w of this.watches) w.end();
    this.watches.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /**
   * A kubeconfig (YAML) for this server. Plain http needs `insecure-skip-tls-verify` or client-node
   * refuses it; a `token` is sent by client-node (kubectl never sends one over plain http).
   */
  kubeconfig(opts: { token?: string; namespace?: string } = {}): string {
    return YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake-user', user: opts.token ? { token: opts.token } : {} }],
      contexts: [
        {
          name: 'fake',
          context: { cluster: 'fake', user: 'fake-user', namespace: opts.namespace ?? 'default' },
        },
      ],
      'current-context': 'fake',
    });
  }

  // ---- test hooks ----

  /** Creates or replaces an object (by its `kind`), as a controller would; watchers see the change. */
  apply(obj: KubeObject): KubeObject {
    const type = resourceTypeOf(obj.kind ?? '', obj.apiVersion);
    if (!type) throw new Error(`fake API server: unknown kind ${obj.apiVersion}/${obj.kind}`);
    const metadata = type.namespaced === false ? { ...obj.metadata, namespace: '' } : obj.metadata;
    return this.store.upsert(type.resource, {
      ...obj,
      metadata,
      apiVersion: apiVersionOf(type),
      kind: type.kind,
    });
  }

  remove(kind: string, namespace: string, name: string): KubeObject {
    const type = resourceTypeOf(kind);
    if (!type) throw new Error(`fake API server: unknown kind ${kind}`);
    return this.store.delete(type.resource, namespace, name);
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    const type = resourceTypeOf(kind);
    return type ? this.store.get(type.resource, namespace, name) : undefined;
  }

  /**
   * Compacts history: the next watch from an old resourceVersion gets 410 Gone, by default as the API
   * server's watch cache reports it (200, then an ERROR event with a 410 Status, then the end of the
   * stream), or with `as: 'status'` as an HTTP 410 answer.
   */
  expireHistory(opts: { as?: 'event' | 'status' } = {}): void {
    this.goneAs = opts.as ?? 'event';
    this.store.compact();
  }

  /** Ends open watches (of one resource, or all): normally, or by resetting their connections. */
  dropWatches(opts: { resource?: string; reset?: boolean } = {}): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (opts.resource !== undefined && w.filter.resource !== opts.resource) continue;
      this.watches.delete(w);
      if (opts.reset) w.reset();
      else w.end();
      n++;
    }
    return n;
  }

  /** The next `count` (default 1) watch requests (of one resource, or any) fail with `status`. */
  failNextWatch(status: number, opts: { resource?: string; count?: number } = {}): void {
    this.failures.push({ status, resource: opts.resource, remaining: opts.count ?? 1 });
  }

  /** Serves `group` as a cluster without its CRDs would (404 on every path, absent from `/apis`). */
  hideGroup(group: string): void {
    this.hiddenGroups.add(group);
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watches) {
      if (!w.allowBookmarks) continue;
      const type = resourceTypeOf(w.filter.resource);
      w.send('BOOKMARK', {
        kind: type?.kind,
        apiVersion: type ? apiVersionOf(type) : undefined,
        metadata: { resourceVersion: this.store.resourceVersion },
      });
    }
  }

  /** Open watches, of one resource or all. */
  openWatches(resource?: string): number {
    let n = 0;
    for (const w of this.watches)
      if (w.open && (resource === undefined || w.filter.resource === resource)) n++;
    return n;
  }

  // ---- HTTP ----

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (this.requests.length > MAX_RECORDED) this.requests.splice(0, this.requests.length - MAX_RECORDED);
    const log = process.env['FAKE_KUBE_REQUEST_LOG'];
    if (log) {
      const line: LoggedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        userAgent: req.headers['user-agent'],
      };
      appendFileSync(log, `${JSON.stringify(line)}\n`);
    }
    this.route(req, res).catch((e: unknown) => {
      const err =
        e instanceof ApiError
          ? e
          : new ApiError(500, 'InternalError', e instanceof Error ? e.message : String(e));
      if (res.headersSent) res.destroy();
      else sendJson(res, err.code, statusBody(err.code, err.reason, err.message));
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const apisGroup = /^\/apis\/([^/]+)/.exec(path)?.[1];
    if (apisGroup !== undefined && this.hiddenGroups.has(apisGroup)) {
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
    }
    const discovery = this.discovery(path);
    if (discovery !== undefined) {
      if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `${req.method} ${path}`);
      sendJson(res, 200, discovery);
      return;
    }
    const route = matchResource(url.pathname);
    if (!route)
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
    if (route.subresource === 'proxy' && route.type.resource === 'pods' && route.namespace && route.name) {
      const target = parseProxyTarget(route.name);
      if (target.scheme !== 'http') throw new ApiError(400, 'BadRequest', 'only http pod proxying is faked');
      const pod = this.store.get('pods', route.namespace, target.name);
      if (!pod) throw new ApiError(404, 'NotFound', `pods "${target.name}" not found`);
      proxyToPod(req, res, pod, resolvePodPort(pod, target.port), `${route.rest || '/'}${url.search}`);
      return;
    }
    if (route.subresource !== undefined) {
      throw new ApiError(404, 'NotFound', `subresource ${route.subresource} is not faked`);
    }
    await this.resourceRequest(req, res, route, url.searchParams);
  }

  private discovery(path: string): unknown {
    if (path === '/version') return versionInfo();
    if (path === '/api') return coreApiVersions(`127.0.0.1:${this.port}`);
    if (path === '/apis') {
      const list = apiGroupList();
      return { ...list, groups: list.groups.filter((g) => !this.hiddenGroups.has(g.name)) };
    }
    if (path === '/api/v1') return apiResourceList('', 'v1');
    const group = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (group) return apiResourceList(group[1] ?? '', group[2] ?? '');
    return undefined;
  }

  private async resourceRequest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { type, namespace, name } = route;
    const resource = type.resource;
    const method = req.method ?? 'GET';
    const dryRun = query.has('dryRun');
    if (name === undefined) {
      if (method === 'GET' && query.get('watch') === 'true') return this.watch(res, route, query);
      if (method === 'GET') return sendJson(res, 200, listResponse(this.store, route, query));
      if (method === 'POST') {
        if (namespace === undefined && type.namespaced !== false)
          throw new ApiError(405, 'MethodNotAllowed', 'create needs a namespace');
        const obj = this.checkedBody(await readBody(req), type, namespace ?? '', undefined);
        return sendJson(res, 201, dryRun ? obj : this.store.create(resource, obj));
      }
      throw new ApiError(405, 'MethodNotAllowed', `${method} on a collection`);
    }
    const ns = namespace ?? '';
    const current = (): KubeObject => {
      const found = this.store.get(resource, ns, name);
      if (!found) throw new ApiError(404, 'NotFound', `${resource} "${name}" not found`);
      return found;
    };
    switch (method) {
      case 'GET':
        return sendJson(res, 200, current());
      case 'PUT': {
        const obj = this.checkedBody(await readBody(req), type, ns, name);
        return sendJson(
          res,
          200,
          dryRun ? obj : this.store.update(resource, obj, obj.metadata.resourceVersion),
        );
      }
      case 'PATCH': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
        if (contentType === 'application/apply-patch+yaml') {
          return this.applyPatch(res, type, ns, name, await readBody(req), query);
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
          : this.store.update(resource, patched, typeof expected === 'string' ? expected : undefined);
        return sendJson(res, 200, result);
      }
      case 'DELETE':
        return sendJson(res, 200, dryRun ? current() : this.store.delete(resource, ns, name));
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
  private applyPatch(
    res: http.ServerResponse,
    type: ResourceType,
    namespace: string,
    name: string,
    body: Buffer,
    query: URLSearchParams,
  ): void {
    if (!query.get('fieldManager')) {
      throw new ApiError(422, 'Invalid', 'fieldManager: Required value: is required for apply patch');
    }
    const applied = this.checkedBody(body, type, namespace, name);
    const dryRun = query.has('dryRun');
    const before = this.store.get(type.resource, namespace, name);
    if (!before) {
      sendJson(res, 201, dryRun ? applied : this.store.create(type.resource, applied));
      return;
    }
    const merged = mergePatch(before, applied) as KubeObject;
    merged.metadata = { ...merged.metadata, resourceVersion: before.metadata.resourceVersion };
    sendJson(res, 200, dryRun ? merged : this.store.update(type.resource, merged));
  }

  /** The parsed body of a create or update, checked against the URL (kind, namespace, name). */
  private checkedBody(
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

  private watch(res: http.ServerResponse, route: ResourceRoute, query: URLSearchParams): void {
    const resource = route.type.resource;
    const failure = this.failures.find((f) => f.resource === undefined || f.resource === resource);
    if (failure) {
      if (--failure.remaining <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      sendJson(
        res,
        failure.status,
        statusBody(failure.status, reasonOf(failure.status), 'injected watch failure'),
      );
      return;
    }
    const filter = {
      resource,
      namespace: route.namespace,
      labels: parseSelector(parseLabelSelector, query.get('labelSelector')),
      fields: parseSelector(parseFieldSelector, query.get('fieldSelector')),
    };
    const rv = query.get('resourceVersion') ?? '';
    // "" and "0": start with the current state as synthetic ADDED events (the API server's "Get State
    // and Start at Most Recent" / "Start at Any" semantics); otherwise replay what came after rv.
    const replay = rv === '' || rv === '0' ? undefined : this.store.changesSince(resource, Number(rv));
    const gone = statusBody(
      410,
      'Expired',
      `too old resource version: ${rv} (${this.store.resourceVersion})`,
    );
    if (replay === 'gone' && this.goneAs === 'status') {
      sendJson(res, 410, gone);
      return;
    }
    const stream = new WatchStream(
      res,
      filter,
      query.get('allowWatchBookmarks') === 'true',
      Number(query.get('timeoutSeconds') ?? 0),
    );
    if (replay === 'gone') {
      stream.send('ERROR', gone);
      stream.end();
      return;
    }
    if (replay === undefined) {
      for (const o of this.store.list(resource, route.namespace))
        if (stream.matches(o)) stream.send('ADDED', o);
    } else {
      for (const change of replay) stream.deliver(change);
    }
    this.watches.add(stream);
    res.once('close', () => this.watches.delete(stream));
  }
}

/** Starts a fake API server on a free port. */
export async function startFakeKubeApiServer(): Promise<FakeKubeApiServer> {
  const server = new FakeKubeApiServer();
  await server.start();
  return server;
}
