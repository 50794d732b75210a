// A host that serves requests (200, `x-backend: <name>`) but fails its active health check with 503, so
// the proxy marks it failed_active_hc at its first check (an unexpected status fails at once) and keeps
// it there: a deterministic unhealthy host for the panic-threshold tests. Counts what it served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HcFailingHost {
  readonly port: number;
  /** Requests served, health checks excluded. */
  readonly served: number;
  close(): void;
}

export async function startHcFailingHost(name: string, healthCheckPath: string): Promise<HcFailingHost> {
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
