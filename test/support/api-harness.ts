// What the tests of one API router over real sockets share: a DashboardCore with nothing in it (the
// service behind the router is what each test supplies), write access by one bearer token, and apps
// served on ephemeral loopback ports, closed together after the file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardCore } from '../../server/api/dashboard-core.ts';
import type { WriteAccess } from '../../server/api/write-gate.ts';
import type { WriteRateLimiter } from '../../server/api/write-rate-limiter.ts';
import { authorizeWrite } from '../../server/weights/write-auth.ts';

/** A core with no graph, routes or sidecars, ready, one 60 s window; `extra` adds or replaces members. */
export function inertCore(extra: Partial<DashboardCore> = {}): DashboardCore {
  return {
    windows: [60],
    graph: () => {
      throw new Error('unused');
    },
    routes: () => [],
    sidecars: () => [],
    nodeSeries: () => undefined,
    edgeSeries: () => undefined,
    sidecarClusters: async () => undefined,
    sidecarConfigDump: async () => undefined,
    sources: () => ({ traffic: 'scrape', prometheus: null }),
    onCycle: () => () => {},
    ready: () => true,
    ...extra,
  };
}

/** Writes authorized by one bearer token, written by `subject`. */
export function bearerWrites(
  subject: string,
  token: string,
  opts: { readOnly?: boolean; limiter?: WriteRateLimiter } = {},
): WriteAccess {
  return {
    readOnly: opts.readOnly ?? false,
    authorize: (info) => authorizeWrite(info, [{ subject, token }]),
    ...(opts.limiter !== undefined && { limiter: opts.limiter }),
  };
}

/** `serve` listens on 127.0.0.1 and answers the base URL; `closeAll` ends every server and connection. */
export function appServers() {
  const servers: http.Server[] = [];
  return {
    async serve(app: http.RequestListener): Promise<string> {
      const server = http.createServer(app);
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    closeAll(): void {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    },
  };
}
