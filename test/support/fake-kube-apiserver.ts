// A fake Kubernetes API server on 127.0.0.1 (plain HTTP) that speaks enough of the real wire protocol
// for @kubernetes/client-node informers and the installed kubectl: discovery (`/version`, `/api`,
// `/apis`, resource lists with verbs), list (resourceVersion, limit/continue, label and field
// selectors), get, watch (chunked JSON lines, replay from a resourceVersion, 410 Gone after a
// compaction), create, update, merge and strategic-merge patch, server-side apply (simplified: see
// `applyPatch` in fake-kube/resource-verbs.ts), delete, cluster-scoped resources, and `pods/proxy` to
// pod IPs.
//
// Every request is recorded in `requests`; with FAKE_KUBE_REQUEST_LOG=<file> in the environment each
// one is also appended to that file as a JSON line (`LoggedRequest`), from every fake in every test
// process, which is how test/integration/k8s/rbac.test.ts sees what the dashboard asked for.
//
// Test hooks change the cluster behind the clients' backs: `apply`/`remove` objects, `expireHistory()`
// (the next watch from an old resourceVersion gets 410), `dropWatches()` (close or reset open watches),
// `failNextWatch(status)` (the next watch request fails with that status).
//
// This file composes the pieces under fake-kube/: routing a request to discovery, `pods/proxy`, the
// watch registry (watch-registry.ts) or the other verbs (resource-verbs.ts), and the test hooks.
import http from 'node:http';
import type net from 'node:net';
import YAML from 'yaml';
import { ApiError, statusBody } from './fake-kube/api-status.ts';
import { discoveryDocument } from './fake-kube/discovery.ts';
import { sendJson } from './fake-kube/http-io.ts';
import { type KubeObject, ObjectStore } from './fake-kube/object-store.ts';
import { servePodProxy } from './fake-kube/pod-proxy.ts';
import { type RecordedRequest, recordRequest } from './fake-kube/request-log.ts';
import { matchResource } from './fake-kube/resource-route.ts';
import { serveResource } from './fake-kube/resource-verbs.ts';
import { apiVersionOf, resourceTypeOf } from './fake-kube/resources.ts';
import { WatchRegistry } from './fake-kube/watch-registry.ts';

export type { KubeObject } from './fake-kube/object-store.ts';
export type { LoggedRequest, RecordedRequest } from './fake-kube/request-log.ts';

export class FakeKubeApiServer {
  readonly store = new ObjectStore();
  /** Requests received, oldest first (bounded); for assertions on paths, queries and headers. */
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly watches = new WatchRegistry(this.store);
  private readonly sockets = new Set<net.Socket>();
  /** API groups answered as not installed (a cluster without that CRD): 404, and absent from `/apis`. */
  private readonly hiddenGroups = new Set<string>();
  private port = 0;

  constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
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
    this.watches.endAll();
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
    this.watches.goneStyle(opts.as ?? 'event');
    this.store.compact();
  }

  /** Ends open watches (of one resource, or all): normally, or by resetting their connections. */
  dropWatches(opts: { resource?: string; reset?: boolean } = {}): number {
    return this.watches.drop(opts);
  }

  /** The next `count` (default 1) watch requests (of one resource, or any) fail with `status`. */
  failNextWatch(status: number, opts: { resource?: string; count?: number } = {}): void {
    this.watches.failNext(status, opts.resource, opts.count ?? 1);
  }

  /** Serves `group` as a cluster without its CRDs would (404 on every path, absent from `/apis`). */
  hideGroup(group: string): void {
    this.hiddenGroups.add(group);
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for bookmarks. */
  bookmark(): void {
    this.watches.bookmark();
  }

  /** Open watches, of one resource or all. */
  openWatches(resource?: string): number {
    return this.watches.count(resource);
  }

  // ---- HTTP ----

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    recordRequest(this.requests, req);
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
    const discovery = discoveryDocument(path, `127.0.0.1:${this.port}`, this.hiddenGroups);
    if (discovery !== undefined) {
      if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `${req.method} ${path}`);
      sendJson(res, 200, discovery);
      return;
    }
    const route = matchResource(url.pathname);
    if (!route)
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
    const { namespace, name } = route;
    if (route.subresource === 'proxy' && route.type.resource === 'pods' && namespace && name) {
      servePodProxy(this.store, req, res, { ...route, namespace, name }, url.search);
      return;
    }
    if (route.subresource !== undefined) {
      throw new ApiError(404, 'NotFound', `subresource ${route.subresource} is not faked`);
    }
    const query = url.searchParams;
    if (name === undefined && (req.method ?? 'GET') === 'GET' && query.get('watch') === 'true') {
      this.watches.open(res, route, query);
      return;
    }
    await serveResource(this.store, req, res, route, query);
  }
}

/** Starts a fake API server on a free port. */
export async function startFakeKubeApiServer(): Promise<FakeKubeApiServer> {
  const server = new FakeKubeApiServer();
  await server.start();
  return server;
}
