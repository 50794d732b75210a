// Outlier detection end to end (the Istio traffic-management lab's outlierDetection, as the Envoy
// cluster config Istio generates for it, with a short ejection time): a host that keeps failing is
// ejected — the load balancer stops using it, /clusters flags it failed_outlier_check, the
// outlier_detection.* stats count it — and it comes back once base_ejection_time has passed.
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

let good: BackendProcess;
let doomed: BackendProcess;
let proxy: ProxyProcess;
/** A backend that answers 500 while `failing`, 200 otherwise (x-backend: flaky). */
let flaky: http.Server;
let flakyPort = 0;
let failing = true;

const OUTLIER = { consecutive_5xx: 3, interval: '0.2s', base_ejection_time: '1s', max_ejection_percent: 100 };

beforeAll(async () => {
  [good, doomed] = await Promise.all([startBackend({ name: 'good' }), startBackend({ name: 'doomed' })]);
  flaky = http.createServer((_req, res) => {
    res.writeHead(failing ? 500 : 200, { 'x-backend': 'flaky', 'content-length': '0' });
    res.end();
  });
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
  flakyPort = (flaky.address() as AddressInfo).port;
  proxy = await startProxy(
    bootstrap(
      [
        { match: { prefix: '/web' }, route: { cluster: 'web', prefix_rewrite: '/' } },
        { match: { prefix: '/down' }, route: { cluster: 'down', prefix_rewrite: '/' } },
      ],
      [
        staticCluster('web', [good.port, flakyPort], { outlier_detection: OUTLIER }),
        staticCluster('down', [good.port, doomed.port], { outlier_detection: OUTLIER }),
      ],
    ),
  );
});

afterAll(async () => {
  await stopAll();
  flaky?.close();
});

describe('outlier detection', () => {
  it('ejects a host answering 5xx, skips it, shows it in /clusters and the stats, and takes it back after base_ejection_time', async () => {
    const p = proxy.listenerPort;
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_active')).toBe(0);
    // Round robin alternates: 8 requests give the flaky host 4 chances; the 3rd 500 in a row ejects it.
    const first = await getMany(p, '/web', 8);
    expect(first.filter((a) => a.status === 500).length).toBe(3);
    const during = await getMany(p, '/web', 20);
    expect(during.every((a) => a.status === 200 && a.backend === 'good')).toBe(true);

    expect(await hostHealth(proxy, 'web', flakyPort)).toEqual({
      failed_outlier_check: true,
      eds_health_status: 'HEALTHY',
    });
    expect(await hostHealth(proxy, 'web', good.port)).toEqual({ eds_health_status: 'HEALTHY' });
    const text = (await proxy.admin('/clusters')).body;
    expect(text).toContain(`web::127.0.0.1:${flakyPort}::health_flags::/failed_outlier_check\n`);
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_active')).toBe(1);
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_enforced_total')).toBe(1);
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_enforced_consecutive_5xx')).toBe(1);
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_detected_consecutive_5xx')).toBe(1);
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_overflow')).toBe(0);
    expect(await stat(proxy, 'cluster.web.membership_healthy')).toBe(1);
    expect(await stat(proxy, 'cluster.web.membership_total')).toBe(2);
    // The series the dashboard's cluster gauges read (server/sources/envoy/cluster-gauges.ts).
    const prom = (await proxy.admin('/stats/prometheus')).body;
    expect(prom).toContain('# TYPE envoy_cluster_outlier_detection_ejections_active gauge\n');
    expect(prom).toContain('envoy_cluster_outlier_detection_ejections_active{envoy_cluster_name="web"} 1\n');
    expect(prom).toContain(
      'envoy_cluster_outlier_detection_ejections_enforced_total{envoy_cluster_name="web"} 1\n',
    );

    failing = false;
    const ejectedAt = Date.now();
    await eventually('the flaky host back in /clusters', async () => {
      const h = await hostHealth(proxy, 'web', flakyPort);
      return h['failed_outlier_check'] === undefined;
    });
    // base_ejection_time 1 s, noticed at the next 0.2 s sweep.
    expect(Date.now() - ejectedAt).toBeGreaterThanOrEqual(700);
    expect(await stat(proxy, 'cluster.web.outlier_detection.ejections_active')).toBe(0);
    expect(await stat(proxy, 'cluster.web.membership_healthy')).toBe(2);
    const after = await getMany(p, '/web', 10);
    expect(after.filter((a) => a.backend === 'flaky').length).toBeGreaterThanOrEqual(4);
    expect(after.every((a) => a.status === 200)).toBe(true);
  });

  it('ejects a host that refuses connections (each connect failure counts as a 503)', async () => {
    const p = proxy.listenerPort;
    await doomed.stop();
    const answers = await getMany(p, '/down', 12);
    // The dead host fails 3 times (503 UF), then only the live one answers.
    expect(answers.filter((a) => a.status === 503).length).toBe(3);
    expect(answers.slice(-4).every((a) => a.status === 200 && a.backend === 'good')).toBe(true);
    expect(await hostHealth(proxy, 'down', doomed.port)).toMatchObject({ failed_outlier_check: true });
    expect(await stat(proxy, 'cluster.down.outlier_detection.ejections_enforced_consecutive_5xx')).toBe(1);
    // A 503 is also a gateway error, but 3 stay below consecutive_gateway_failure (default 5).
    expect(
      await stat(proxy, 'cluster.down.outlier_detection.ejections_detected_consecutive_gateway_failure'),
    ).toBe(0);
    expect(await stat(proxy, 'cluster.down.upstream_cx_connect_fail')).toBe(3);
  });
});
