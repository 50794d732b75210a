// The demo's apps: one real HTTP server per workload, each bound to the workload's own IP. A caller
// reaches its dependencies through its own sidecar's outbound listener (never directly), as an app in a
// pod does once iptables redirects it, so the sidecar's cluster stats record every edge.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AppReply,
  detailsReply,
  type Fetched,
  idFromPath,
  labBackendPage,
  notFound,
  parseRatings,
  productPage,
  productReply,
  ratingsReply,
  reviewsReply,
} from './app-responses.ts';
import { troubleFor } from './app-trouble.ts';
import type { DemoRoute, DemoWorkload } from './demo-topology.ts';

const CALL_TIMEOUT_MS = 5_000;

/**
 * Headers an app passes on to the services it calls, as bookinfo propagates its request id and
 * `end-user`: the jason fault and the hash on `x-user` see them at every hop.
 */
const PROPAGATED = ['x-request-id', 'end-user', 'x-user'] as const;
type Propagated = Record<string, string>;

function propagated(headers: http.IncomingHttpHeaders): Propagated {
  const out: Propagated = {};
  for (const name of PROPAGATED) {
    const v = headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Calls `service` through `w`'s sidecar: the outbound listener on the workload's own IP picks the cluster. */
class SidecarClient {
  private readonly agent: http.Agent;
  private readonly w: DemoWorkload;

  constructor(w: DemoWorkload) {
    this.w = w;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64, localAddress: w.ip });
  }

  call(service: string, path: string, passOn: Propagated): Promise<Upstream> {
    const out = this.w.outbound;
    const route: DemoRoute | undefined = out?.routes.find((r) => r.service === service);
    if (!out || !route) return Promise.reject(new Error(`${this.w.name} has no route to ${service}`));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.w.ip,
          port: out.port,
          path,
          agent: this.agent,
          timeout: CALL_TIMEOUT_MS,
          headers: { ...passOn, host: `${route.service}:${route.servicePort}` },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (s: string) => {
            body += s;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${service}: no answer within ${CALL_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** A dependency's JSON, or why it could not be had (bookinfo shows the error instead of failing). */
  async fetchJson(service: string, path: string, passOn: Propagated): Promise<Fetched> {
    try {
      const r = await this.call(service, path, passOn);
      if (r.status !== 200) return { ok: false, error: `${service} answered ${r.status}` };
      return { ok: true, value: JSON.parse(r.body) as unknown };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

type Reply = AppReply & { headers?: Record<string, string> };
type Handler = (path: string, passOn: Propagated) => Promise<Reply>;

function handlerFor(w: DemoWorkload, client: SidecarClient): Handler {
  switch (w.kind) {
    case 'backend':
      return async () => ({ ...labBackendPage(w.version), headers: { 'x-backend': w.version } });
    case 'frontend':
      // The lab's app is a curl loop against its sidecar; as a server it relays what the backend said.
      return async (_path, passOn): Promise<Reply> => {
        try {
          const r = await client.call('backend', '/', passOn);
          const backend = r.headers['x-backend'];
          return {
            status: r.status,
            contentType: r.headers['content-type'] ?? 'text/plain',
            body: r.body,
            headers: typeof backend === 'string' ? { 'x-backend': backend } : {},
          };
        } catch (e) {
          return {
            status: 502,
            contentType: 'text/plain',
            body: `frontend: backend unreachable: ${(e as Error).message}\n`,
          };
        }
      };
    case 'details':
      return async (path) => {
        const id = idFromPath(path, 'details');
        return id === undefined ? notFound(path) : detailsReply(id);
      };
    case 'ratings':
      return async (path) => {
        const id = idFromPath(path, 'ratings');
        return id === undefined ? notFound(path) : ratingsReply(id);
      };
    case 'reviews':
      return async (path, passOn) => {
        const id = idFromPath(path, 'reviews');
        if (id === undefined) return notFound(path);
        if (w.version === 'v1') return reviewsReply(id, w.name, w.version, undefined);
        const r = await client.call('ratings', `/ratings/${id}`, passOn).catch(() => undefined);
        const ratings = r?.status === 200 ? parseRatings(r.body) : undefined;
        return reviewsReply(id, w.name, w.version, ratings);
      };
    case 'productpage':
      return async (path, passOn) => {
        const apiId = idFromPath(path, 'api/v1/products');
        if (apiId === undefined && path !== '/productpage' && path !== '/') return notFound(path);
        const id = apiId ?? 0;
        const [details, reviews] = await Promise.all([
          client.fetchJson('details', `/details/${id}`, passOn),
          client.fetchJson('reviews', `/reviews/${id}`, passOn),
        ]);
        return apiId === undefined ? productPage(details, reviews) : productReply(id, details, reviews);
      };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface AppServers {
  close(): Promise<void>;
}

function listen(server: http.Server, w: DemoWorkload): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: w.ip, port: w.appPort }, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      if (a.port !== w.appPort) reject(new Error(`${w.name} bound ${a.port}, not ${w.appPort}`));
      else resolve();
    });
  });
}

/** Starts every workload's app on `<ip>:<appPort>`; rejects (closing what started) if any cannot bind. */
export async function startAppServers(workloads: readonly DemoWorkload[]): Promise<AppServers> {
  const servers: http.Server[] = [];
  const clients: SidecarClient[] = [];
  const close = async () => {
    for (const c of clients) c.close();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  };
  try {
    for (const w of workloads) {
      const client = new SidecarClient(w);
      clients.push(client);
      const handle = handlerFor(w, client);
      let requests = 0;
      const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
        req.resume();
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const trouble = troubleFor(++requests, w.trouble);
        if (trouble?.kind === 'fail') {
          res.writeHead(503, { 'content-type': 'text/plain', 'x-workload': w.name, 'x-version': w.version });
          res.end(`${w.name}: request ${requests} fails on purpose (the demo's trouble for retries)\n`);
          return;
        }
        const delay = trouble?.kind === 'slow' ? trouble.ms : 0;
        const passOn = propagated(req.headers);
        const run = delay > 0 ? sleep(delay).then(() => handle(path, passOn)) : handle(path, passOn);
        run.then(
          (reply) => {
            res.writeHead(reply.status, {
              'content-type': reply.contentType,
              'content-length': Buffer.byteLength(reply.body),
              'x-workload': w.name,
              'x-version': w.version,
              ...reply.headers,
            });
            res.end(reply.body);
          },
          (e: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`${w.name}: ${(e as Error).message}\n`);
          },
        );
      });
      servers.push(server);
      await listen(server, w);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { close };
}
