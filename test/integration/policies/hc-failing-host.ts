// A host that serves requests (200, `x-backend: <name>`) but fails its active health check with 503, so
// the proxy marks it failed_active_hc at its first check (an unexpected status fails at once) and keeps
// it there: a deterministic unhealthy host for the panic-threshold tests. Counts what it served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The path the health check below asks for; a failing host answers it 503. */
export const HC_PATH = '/status/200';

/** The active HTTP health check the panic-threshold tests put on their clusters. */
export const HEALTH_CHECK = {
  timeout: '0.5s',
  interval: '1s',
  no_traffic_interval: '1s',
  unhealthy_threshold: 2,
  healthy_threshold: 1,
  http_health_check: { path: HC_PATH },
};

export interface HcFailingHost {
  readonly port: number;
  /** Requests served, health checks excluded. */
  readonly served: number;
  close(): void;
}

export async function startHcFailingHost(name: string, healthCheckPath = HC_PATH): Promise<HcFailingHost> {
  let served = 0;
  const server = http.createServer((req, res) => {
    const check = req.url === healthCheckPath;
    if (!check) served++;
    res.writeHead(check ? 503 : 200, { 'x-backend': name, 'content-length': '0' });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get served() {
      return served;
    },
    close: () => server.close(),
  };
}
