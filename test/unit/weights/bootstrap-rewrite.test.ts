// The static strategy's rewrite of a bootstrap: only the weights change, byte for byte everything
// else stays (comments, order, quoting, blank lines with trailing spaces), and bad input is refused
// with the reason and no text. The result is loaded by the proxy's own bootstrap parser as a check.
import { describe, expect, it } from 'vitest';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import {
  addRuntimeKeyPrefix,
  bootstrapWeights,
  defaultRuntimePrefix,
  rewriteBootstrapWeights,
} from '../../../server/weights/bootstrap-rewrite.ts';
import { seedBootstraps } from '../../support/seed-blocks.ts';

const AT = { listener: 'listener_0', routeConfig: 'local_route', virtualHost: 'backend', routeIndex: 0 };

/** The seed lab's bootstrap (Lab 4, ConfigMap envoy-config), with comments a user would add. */
function commentedSeed(): string {
  const seed = seedBootstraps('envoy-sidecar-lab.md')[0]!.text;
  expect(seed).toContain('weight: 80\n');
  expect(seed).toContain('weight: 20\n');
  return `# Lab 4 sidecar: 80/20 canary\n${seed}`
    .replace('weight: 80\n', 'weight: 80   # stable\n')
    .replace(
      '\n                    clusters:\n',
      '\n                    # the two versions behind the split\n                    clusters:\n',
    )
    .replace('\n  clusters:\n  - name: backend_v1', '\n  clusters: # upstreams\n  - name: backend_v1');
}

function proxyWeights(text: string) {
  const b = parseBootstrap(text, { format: 'yaml' });
  const route = b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!;
  return route.action.kind === 'route' ? route.action.weightedClusters : undefined;
}

describe('rewriteBootstrapWeights', () => {
  it('round-trips the commented seed bootstrap byte for byte except the two weights', () => {
    const text = commentedSeed();
    expect(text).toContain('# the two versions');
    const r = rewriteBootstrapWeights(text, AT, { backend_v1: 50, backend_v2: 50 });
    expect(r).toMatchObject({ ok: true, from: { backend_v1: 80, backend_v2: 20 } });
    if (!r.ok) return;
    expect(r.text).toBe(
      text.replace('weight: 80   #', 'weight: 50   #').replace('weight: 20\n', 'weight: 50\n'),
    );
    expect(proxyWeights(r.text)?.clusters).toEqual([
      { name: 'backend_v1', weight: 50 },
      { name: 'backend_v2', weight: 50 },
    ]);
  });

  it('leaves the text identical when the weights do not change', () => {
    const text = commentedSeed();
    const r = rewriteBootstrapWeights(text, AT, { backend_v1: 80, backend_v2: 20 });
    expect(r.ok && r.text).toBe(text);
  });

  it('keeps quoting, flow style and JSON as written, and adds a weight that was left out (0)', () => {
    const flow = [
      'static_resources:',
      '  listeners:',
      '  - name: listener_0',
      '    filter_chains: [{filters: [{name: envoy.filters.network.http_connection_manager, typed_config: {',
      '      route_config: {name: local_route, virtual_hosts: [{name: backend, domains: ["*"], routes: [',
      "        {match: {prefix: /}, route: {weighted_clusters: {clusters: [{name: a, weight: '70'}, {name: b}]}}}]}]}}}]}]",
      '',
    ].join('\n');
    const r = rewriteBootstrapWeights(flow, AT, { a: 40, b: 60 });
    expect(r).toMatchObject({ ok: true, from: { a: 70, b: 0 } });
    expect(r.ok && r.text).toBe(
      flow.replace("weight: '70'", "weight: '40'").replace('{name: b}', '{name: b, weight: 60}'),
    );

    const json = JSON.stringify(
      {
        static_resources: {
          listeners: [
            {
              name: 'listener_0',
              filter_chains: [
                {
                  filters: [
                    {
                      name: 'envoy.filters.network.http_connection_manager',
                      typed_config: {
                        route_config: {
                          name: 'local_route',
                          virtual_hosts: [
                            {
                              name: 'backend',
                              routes: [
                                {
                                  route: {
                                    weighted_clusters: {
                                      clusters: [{ name: 'a', weight: 1 }, { name: 'b' }],
                                    },
                                  },
                                },
                              ],
                            },
                          ],
                        },
                      },
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
      null,
      2,
    );
    const j = rewriteBootstrapWeights(json, AT, { a: 30, b: 70 });
    expect(j.ok).toBe(true);
    if (!j.ok) return;
    expect(JSON.parse(j.text)).toMatchObject({
      static_resources: {
        listeners: [
          {
            filter_chains: [
              {
                filters: [
                  {
                    typed_config: {
                      route_config: {
                        virtual_hosts: [
                          {
                            routes: [
                              {
                                route: {
                                  weighted_clusters: {
                                    clusters: [
                                      { name: 'a', weight: 30 },
                                      { name: 'b', weight: 70 },
                                    ],
                                  },
                                },
                              },
                            ],
                          },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    });
  });

  it('adds a missing weight on its own line in a block map, at the name key’s indentation', () => {
    const text = commentedSeed().replace('\n                      weight: 20\n', '\n');
    const r = rewriteBootstrapWeights(text, AT, { backend_v1: 50, backend_v2: 50 });
    expect(r.ok && r.text).toBe(
      text
        .replace('weight: 80   #', 'weight: 50   #')
        .replace('- name: backend_v2\n', '- name: backend_v2\n                      weight: 50\n'),
    );
  });

  it('refuses unknown routes and clusters with a reason, returning no text', () => {
    const text = commentedSeed();
    const cases: [Parameters<typeof rewriteBootstrapWeights>[1], Record<string, number>, RegExp][] = [
      [{ ...AT, listener: 'nope' }, { backend_v1: 50, backend_v2: 50 }, /no static listener named 'nope'/],
      [
        { ...AT, routeConfig: 'other' },
        { backend_v1: 50, backend_v2: 50 },
        /no inline route configuration 'other'/,
      ],
      [{ ...AT, virtualHost: 'vh' }, { backend_v1: 50, backend_v2: 50 }, /no virtual host 'vh'/],
      [{ ...AT, routeIndex: 3 }, { backend_v1: 50, backend_v2: 50 }, /no route #3/],
      [AT, { backend_v1: 50, backend_v3: 50 }, /no cluster backend_v3/],
      [AT, { backend_v1: 100 }, /no weight given for cluster backend_v2/],
    ];
    for (const [at, weights, error] of cases) {
      const r = rewriteBootstrapWeights(text, at, weights);
      expect(r.ok).toBe(false);
      expect(r).not.toHaveProperty('text');
      if (!r.ok) expect(r.error).toMatch(error);
    }
    expect(rewriteBootstrapWeights('a: [unclosed', AT, {})).toMatchObject({
      ok: false,
      error: /does not parse/,
    });
  });
});

describe('addRuntimeKeyPrefix', () => {
  it('adds the prefix as the first key of weighted_clusters, nothing else changes', () => {
    const text = commentedSeed();
    const r = addRuntimeKeyPrefix(text, AT, 'routing.traffic_split.backend');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe(
      text.replace(
        '                  weighted_clusters:\n',
        '                  weighted_clusters:\n                    runtime_key_prefix: routing.traffic_split.backend\n',
      ),
    );
    expect(proxyWeights(r.text)).toMatchObject({ runtimeKeyPrefix: 'routing.traffic_split.backend' });
    expect(bootstrapWeights(r.text, AT)).toEqual({ backend_v1: 80, backend_v2: 20 });
    expect(addRuntimeKeyPrefix(r.text, AT, 'x.y')).toMatchObject({
      ok: false,
      error: /already has runtime_key_prefix/,
    });
  });

  it('refuses a prefix that is not a runtime key, and a route that is not there', () => {
    expect(addRuntimeKeyPrefix(commentedSeed(), AT, 'a b')).toMatchObject({ ok: false });
    expect(addRuntimeKeyPrefix(commentedSeed(), { ...AT, listener: 'x' }, 'a.b')).toMatchObject({
      ok: false,
    });
  });

  it('names a default prefix after the route', () => {
    expect(defaultRuntimePrefix(AT)).toBe('meshscope.weights.local_route.backend.0');
    expect(defaultRuntimePrefix({ ...AT, virtualHost: 'outbound|80||x.svc' })).toBe(
      'meshscope.weights.local_route.outbound_80_x_svc.0',
    );
  });
});
