// Consistent hashing end to end: the Istio lab's DestinationRule (trafficPolicy.loadBalancer.consistentHash
// with httpHeaderName "x-user", ../shared/seeds/istio-service-mesh-notes.md "Consistent Hash") as the
// Envoy config Istio generates for it — a RING_HASH cluster and a route hash_policy on the header — and
// the same with MAGLEV: `x-user: diego` stays on one backend, different users spread over the backends,
// and requests without the header are spread at random.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { bootstrap, get, getMany, staticCluster } from './policy-rig.ts';

let backends: BackendProcess[];
let proxy: ProxyProcess;

const BY_USER = [{ header: { header_name: 'x-user' } }];

beforeAll(async () => {
  backends = await Promise.all(['nginx-a', 'nginx-b', 'nginx-c'].map((name) => startBackend({ name })));
  const ports = backends.map((b) => b.port);
  proxy = await startProxy(
    bootstrap(
      [
        { match: { prefix: '/ring' }, route: { cluster: 'ring', prefix_rewrite: '/', hash_policy: BY_USER } },
        {
          match: { prefix: '/maglev' },
          route: { cluster: 'maglev', prefix_rewrite: '/', hash_policy: BY_USER },
        },
        {
          match: { prefix: '/by-ip' },
          route: {
            cluster: 'ring',
            prefix_rewrite: '/',
            hash_policy: [{ connection_properties: { source_ip: true } }],
          },
        },
      ],
      [
        staticCluster('ring', ports, {
          lb_policy: 'RING_HASH',
          ring_hash_lb_config: { minimum_ring_size: 1024 },
        }),
        staticCluster('maglev', ports, { lb_policy: 'MAGLEV' }),
      ],
    ),
  );
});

afterAll(async () => {
  await stopAll();
});

for (const path of ['/ring', '/maglev']) {
  describe(`${path.slice(1)} cluster hashed on x-user`, () => {
    it('keeps x-user: diego on one backend over 50 requests', async () => {
      const answers = await getMany(proxy.listenerPort, path, 50, { 'x-user': 'diego' });
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(new Set(answers.map((a) => a.backend)).size).toBe(1);
    });

    it('sends different users to different backends, each always to the same one', async () => {
      const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
      const first = new Map<string, string>();
      for (const u of users) first.set(u, (await get(proxy.listenerPort, path, { 'x-user': u })).backend);
      expect(new Set(first.values()).size).toBe(3);
      for (const u of users.slice(0, 10)) {
        expect((await get(proxy.listenerPort, path, { 'x-user': u })).backend).toBe(first.get(u));
      }
    });

    it('spreads requests without the header at random', async () => {
      const answers = await getMany(proxy.listenerPort, path, 60);
      expect(new Set(answers.map((a) => a.backend)).size).toBeGreaterThanOrEqual(2);
    });
  });
}

describe('hash on the source IP', () => {
  it('keeps one client address on one backend', async () => {
    const answers = await getMany(proxy.listenerPort, '/by-ip', 20);
    expect(new Set(answers.map((a) => a.backend)).size).toBe(1);
  });
});
