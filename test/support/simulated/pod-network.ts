// The network of simulated pods: a loopback address per pod (127.0.0.x), the sidecar bootstrap bound to
// it, and a plain TCP forwarder for pods without a sidecar.
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { staticBootstrap } from '../envoy-bootstrap.ts';
import { POD_APP_PORT } from './endpoint-slice-controller.ts';

export const POD_ADMIN_PORT = 9901;

export const usedIps = new Set<string>();

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * A loopback address with the pod's ports free, starting from a random one so that test workers
 * running at the same time rarely contend for the same address.
 */
export async function allocatePodIp(): Promise<string> {
  const start = randomInt(0, 250);
  for (let i = 0; i < 250; i++) {
    const ip = `127.0.0.${((start + i) % 250) + 2}`;
    if (usedIps.has(ip)) continue;
    if ((await canBind(ip, POD_APP_PORT)) && (await canBind(ip, POD_ADMIN_PORT))) {
      usedIps.add(ip);
      return ip;
    }
  }
  throw new Error('no free 127.0.0.x address with ports 8080 and 9901 free');
}

/** The inbound sidecar: pod IP :8080 → the backend, admin on pod IP :9901, runtime from a `runtime` volume. */
export function inboundBootstrap(pod: { ip: string; backendPort: number; mounts: Record<string, string> }) {
  const b = staticBootstrap({
    listeners: [{ name: 'inbound', port: POD_APP_PORT, statPrefix: 'inbound_http' }],
    clusters: [{ name: 'local_app', endpoints: [{ port: pod.backendPort }] }],
    adminPort: POD_ADMIN_PORT,
  });
  for (const l of b.static_resources.listeners) l.address.socket_address.address = pod.ip;
  b.admin.address.socket_address.address = pod.ip;
  const runtime = pod.mounts['runtime'];
  if (runtime === undefined) return b;
  return {
    ...b,
    layered_runtime: {
      layers: [
        { name: 'static', static_layer: {} },
        { name: 'disk', disk_layer: { symlink_root: runtime } },
        { name: 'admin', admin_layer: {} },
      ],
    },
  };
}

/** A forwarder on ip:port to the backend, for pods without a sidecar. */
export function forward(ip: string, port: number, to: number): Promise<net.Server> {
  const server = net.createServer((c) => {
    const up = net.connect({ host: '127.0.0.1', port: to });
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, () => resolve(server));
  });
}
