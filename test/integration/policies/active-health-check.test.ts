// Active HTTP health checking end to end: the proxy checks every host of the cluster; a backend that
// goes away is marked failed_active_hc after unhealthy_threshold failed checks (membership_healthy
// drops, traffic avoids it), and once it is back, healthy_threshold passing checks return it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { bootstrap, eventually, getMany, hostHealth, stat, staticCluster } from './policy-rig.ts';

let a: BackendProcess;
let b: BackendProcess;
let proxy: ProxyProcess;
/** A host that records the health checks it receives and answers them with `probeStatus`. */
let probe: http.Server;
let probePort = 0;
let probeStatus = 200;
const seen: { method: string; url: string; host: string; userAgent: string }[] = [];

const HEALTH_CHECK = {
  timeout: '0.5s',
  interval: '0.2s',
  // The cluster starts without traffic: Envoy would wait no_traffic_interval (60 s) between checks.
  no_traffic_interval: '0.2s',
  unhealthy_threshold: 2,
  healthy_threshold: 2,
  http_health_check: { path: '/status/200', host: 'health.local' },
};

beforeAll(async () => {
  [a, b] = await Promise.all([startBackend({ name: 'a' }), startBackend({ name: 'b' })]);
  probe = http.createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      host: req.headers.host ?? '',
      userAgent: req.headers['user-agent'] ?? '',
    });
    res.writeHead(probeStatus, { 'content-length': '0' });
    res.end();
  });
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  probePort = (probe.address() as AddressInfo).port;
  proxy = await startProxy(
    bootstrap(
      [{ match: { prefix: '/' }, route: { cluster: 'web' } }],
      [
        staticCluster('web', [a.port, b.port], { health_checks: [HEALTH_CHECK] }),
        // No `host`: Envoy sends the cluster name.
        staticCluster('probe', [probePort], {
          health_checks: [{ ...HEALTH_CHECK, unhealthy_threshold: 3, http_health_check: { path: '/ready' } }],
        }),
      ],
    ),
  );
});

afterAll(async () => {
  await stopAll();
  probe?.close();
});

describe('active health checking', () => {
  it('is ready only after the first round, with both hosts healthy', async () => {
    // startProxy waited for /ready, which waits for the cluster's initial health-check round.
    expect(await stat(proxy, 'cluster.web.health_check.attempt')).toBeGreaterThanOrEqual(2);
    expect(await stat(proxy, 'cluster.web.health_check.success')).toBeGreaterThanOrEqual(2);
    expect(await stat(proxy, 'cluster.web.health_check.failure')).toBe(0);
    expect(await stat(proxy, 'cluster.web.health_check.healthy')).toBe(2);
    expect(await stat(proxy, 'cluster.web.membership_healthy')).toBe(2);
    const answers = await getMany(proxy.listenerPort, '/', 6);
    expect(new Set(answers.map((x) => x.backend))).toEqual(new Set(['a', 'b']));
  });

  it('marks a backend that went away unhealthy, and healthy again when it is back', async () => {
    const port = b.port;
    await b.stop();
    await eventually('b marked failed_active_hc', async () => {
      const h = await hostHealth(proxy, 'web', port);
      return h['failed_active_health_check'] === true;
    });
    expect(await stat(proxy, 'cluster.web.membership_healthy')).toBe(1);
    expect(await stat(proxy, 'cluster.web.health_check.healthy')).toBe(1);
    expect(await stat(proxy, 'cluster.web.health_check.network_failure')).toBeGreaterThanOrEqual(2);
    const text = (await proxy.admin('/clusters')).body;
    expect(text).toContain(`web::127.0.0.1:${port}::health_flags::/failed_active_hc\n`);
    const during = await getMany(proxy.listenerPort, '/', 10);
    expect(during.every((x) => x.status === 200 && x.backend === 'a')).toBe(true);

    b = await startBackend({ name: 'b', port });
    await eventually('b healthy again', async () => {
      const h = await hostHealth(proxy, 'web', port);
      return h['failed_active_health_check'] === undefined;
    });
    expect(await stat(proxy, 'cluster.web.membership_healthy')).toBe(2);
    expect(await stat(proxy, 'cluster.web.health_check.healthy')).toBe(2);
    const after = await getMany(proxy.listenerPort, '/', 10);
    expect(after.filter((x) => x.backend === 'b').length).toBeGreaterThanOrEqual(4);
  });

  it('sends GET <path> with the configured Host and Envoy/HC, and a 503 answer fails the host at once', async () => {
    await eventually('the probe checked', async () => seen.length > 0);
    expect(seen[0]).toEqual({ method: 'GET', url: '/ready', host: 'probe', userAgent: 'Envoy/HC' });
    probeStatus = 503;
    const from = seen.length;
    await eventually('the probe marked failed_active_hc', async () => {
      const h = await hostHealth(proxy, 'probe', probePort);
      return h['failed_active_health_check'] === true;
    });
    // unhealthy_threshold is 3, but an unexpected status does not wait for it (Envoy: "the upstream host
    // can return 503 if it wants to immediately notify downstream hosts").
    expect(seen.length - from).toBeLessThan(3);
    expect(await stat(proxy, 'cluster.probe.membership_healthy')).toBe(0);
  });
});
