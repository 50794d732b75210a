// common_lb_config.healthy_panic_threshold end to end: two hosts, one failing its active health check
// (1 of 2 healthy = 50 %). With the threshold at 0 (`{}`) the cluster never panics and every request
// goes to the healthy host; at 100 it panics (50 < 100), picks among both hosts and counts
// `lb_healthy_panic`; unset it is Envoy's 50, and 50 % is not below 50, so no panic. /config_dump
// shows the field as written, and the dashboard's reader gets the same thresholds from it. The runtime
// key `upstream.healthy_panic_threshold` (POST /runtime_modify) overrides every cluster's threshold until
// it is removed, with no config reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panicThresholdsFromConfigDump } from '../../../server/sources/envoy/config-dump-panic-thresholds.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { HC_PATH, type HcFailingHost, HEALTH_CHECK, startHcFailingHost } from './hc-failing-host.ts';
import { bootstrap, eventually, getMany, stat, staticCluster } from './policy-rig.ts';

/** Enough round-robin picks that "both hosts" and "never the sick one" cannot happen by chance. */
const REQUESTS = 20;

let healthy: BackendProcess;
let sick: HcFailingHost;
let proxy: ProxyProcess;

function cluster(name: string, extra: Record<string, unknown> = {}) {
  return staticCluster(name, [healthy.port, sick.port], { health_checks: [HEALTH_CHECK], ...extra });
}

beforeAll(async () => {
  healthy = await startBackend({ name: 'healthy' });
  sick = await startHcFailingHost('sick', HC_PATH);
  proxy = await startProxy({
    ...bootstrap(
      ['never', 'always', 'default'].map((name) => ({
        match: { prefix: `/${name}` },
        route: { cluster: name },
      })),
      [
        cluster('never', { common_lb_config: { healthy_panic_threshold: {} } }),
        cluster('always', { common_lb_config: { healthy_panic_threshold: { value: 100 } } }),
        cluster('default'),
      ],
    ),
    // The layer POST /runtime_modify writes.
    layered_runtime: { layers: [{ name: 'admin', admin_layer: {} }] },
  });
  for (const name of ['never', 'always', 'default']) {
    await eventually(`${name}: the sick host failed its health check`, async () => {
      return (await stat(proxy, `cluster.${name}.membership_healthy`)) === 1;
    });
  }
});

afterAll(async () => {
  await stopAll();
  sick?.close();
});

function countBy(backends: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of backends) out[b] = (out[b] ?? 0) + 1;
  return out;
}

describe('healthy_panic_threshold', () => {
  it('at 0 ({}) never panics: every request goes to the healthy host', async () => {
    const answers = await getMany(proxy.listenerPort, '/never', REQUESTS);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(countBy(answers.map((a) => a.backend))).toEqual({ healthy: REQUESTS });
    expect(await stat(proxy, 'cluster.never.lb_healthy_panic')).toBe(0);
  });

  it('at 100 panics with 1 of 2 healthy: both hosts get requests and every pick counts', async () => {
    const answers = await getMany(proxy.listenerPort, '/always', REQUESTS);
    const counts = countBy(answers.map((a) => a.backend));
    // Round robin over both hosts in panic: an even split.
    expect(counts['healthy']).toBe(REQUESTS / 2);
    expect(counts['sick']).toBe(REQUESTS / 2);
    expect(await stat(proxy, 'cluster.always.lb_healthy_panic')).toBe(REQUESTS);
  });

  it("unset is Envoy's 50: 50 % healthy is not below it, so no panic", async () => {
    const answers = await getMany(proxy.listenerPort, '/default', REQUESTS);
    expect(countBy(answers.map((a) => a.backend))).toEqual({ healthy: REQUESTS });
    expect(await stat(proxy, 'cluster.default.lb_healthy_panic')).toBe(0);
  });

  it('gives way to the runtime key upstream.healthy_panic_threshold while it is set', async () => {
    const modify = await proxy.admin('/runtime_modify?upstream.healthy_panic_threshold=100', 'POST');
    expect(modify.status).toBe(200);
    try {
      // Both the cluster configured at 0 and the one left at 50 now panic at 1 of 2 healthy.
      for (const name of ['never', 'default']) {
        const before = await stat(proxy, `cluster.${name}.lb_healthy_panic`);
        const answers = await getMany(proxy.listenerPort, `/${name}`, REQUESTS);
        expect(countBy(answers.map((a) => a.backend)), name).toEqual({
          healthy: REQUESTS / 2,
          sick: REQUESTS / 2,
        });
        expect(await stat(proxy, `cluster.${name}.lb_healthy_panic`)).toBe((before ?? 0) + REQUESTS);
      }
    } finally {
      // An empty value removes the key: the configured thresholds are back.
      await proxy.admin('/runtime_modify?upstream.healthy_panic_threshold=', 'POST');
    }
    const answers = await getMany(proxy.listenerPort, '/never', REQUESTS);
    expect(countBy(answers.map((a) => a.backend))).toEqual({ healthy: REQUESTS });
  });

  it('is in /config_dump as Envoy prints it, and the dashboard reads the thresholds from there', async () => {
    const { status, body } = await proxy.admin('/config_dump');
    expect(status).toBe(200);
    const doc = JSON.parse(body) as unknown;
    const thresholds = panicThresholdsFromConfigDump(doc);
    expect(Object.fromEntries(thresholds)).toEqual({ never: 0, always: 100 });
    const dump = (
      doc as { configs: { static_clusters?: { cluster: Record<string, unknown> }[] }[] }
    ).configs.flatMap((c) => c.static_clusters ?? []);
    const always = dump.find((c) => c.cluster['name'] === 'always')?.cluster;
    expect(always?.['common_lb_config']).toEqual({ healthy_panic_threshold: { value: 100 } });
    const def = dump.find((c) => c.cluster['name'] === 'default')?.cluster;
    expect(def?.['common_lb_config']).toBeUndefined();
  });
});
