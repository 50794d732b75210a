import { describe, expect, it } from 'vitest';
import { configMapKeysFor, type PodVolumes } from '../../../server/weights/configmap-volume.ts';

/** Shaped like a real pod of the seed lab, with the runtime ConfigMap mounted into the sidecar. */
const pod = (mount: Record<string, unknown>, configMap: Record<string, unknown>): PodVolumes => {
  const json: unknown = {
    metadata: { namespace: 'default', name: 'frontend-7d4b9c-x2x9z' },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'frontend:1',
          volumeMounts: [
            {
              name: 'kube-api-access-abcde',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
        },
        {
          name: 'envoy',
          image: 'envoyproxy/envoy:v1.31',
          volumeMounts: [
            { name: 'envoy-config', mountPath: '/etc/envoy' },
            { name: 'runtime', readOnly: true, ...mount },
          ],
        },
      ],
      volumes: [
        { name: 'envoy-config', configMap: { name: 'envoy-config' } },
        { name: 'runtime', configMap: { name: 'frontend-runtime', ...configMap } },
        { name: 'kube-api-access-abcde', projected: { sources: [] } },
      ],
    },
  };
  return json as PodVolumes;
};

const KEYS = ['routing.traffic_split.backend.backend_v1', 'routing.traffic_split.backend.backend_v2'];

describe('configMapKeysFor', () => {
  it('maps runtime keys to the same ConfigMap keys when the layer is the mount itself (or its ..data)', () => {
    const p = pod({ mountPath: '/etc/envoy/runtime' }, {});
    const expected = {
      ok: true,
      configMap: 'frontend-runtime',
      container: 'envoy',
      keys: Object.fromEntries(KEYS.map((k) => [k, k])),
    };
    expect(configMapKeysFor(p, '/etc/envoy/runtime', KEYS)).toEqual(expected);
    expect(configMapKeysFor(p, '/etc/envoy/runtime/', KEYS)).toEqual(expected);
    expect(configMapKeysFor(p, '/etc/envoy/runtime/..data', KEYS)).toEqual(expected);
  });

  it('follows volume items, flat or nested (a/b/c is key a.b.c to the disk layer)', () => {
    const p = pod(
      { mountPath: '/srv/runtime' },
      {
        items: [
          { key: 'v1', path: 'envoy/routing/traffic_split/backend/backend_v1' },
          { key: 'v2', path: 'envoy/routing.traffic_split.backend.backend_v2' },
        ],
      },
    );
    expect(configMapKeysFor(p, '/srv/runtime/envoy', KEYS)).toEqual({
      ok: true,
      configMap: 'frontend-runtime',
      container: 'envoy',
      keys: { [KEYS[0]!]: 'v1', [KEYS[1]!]: 'v2' },
    });
    const missing = configMapKeysFor(p, '/srv/runtime/envoy', [
      ...KEYS,
      'routing.traffic_split.backend.backend_v3',
    ]);
    expect(missing).toMatchObject({ ok: false, reason: /project no file for runtime key .*backend_v3/ });
  });

  it('says why when it cannot persist there', () => {
    expect(
      configMapKeysFor(pod({ mountPath: '/etc/envoy/runtime' }, {}), '/var/lib/runtime', KEYS),
    ).toMatchObject({
      ok: false,
      reason: /no volume of pod default\/frontend-7d4b9c-x2x9z is mounted at \/var\/lib\/runtime/,
    });
    expect(
      configMapKeysFor(
        pod({ mountPath: '/etc/envoy/runtime/k', subPath: 'k' }, {}),
        '/etc/envoy/runtime/k',
        KEYS,
      ),
    ).toMatchObject({ ok: false, reason: /subPath/ });
    // The layer inside /etc/envoy (the config ConfigMap's mount) but not in the runtime mount.
    expect(
      configMapKeysFor(pod({ mountPath: '/etc/envoy/runtime' }, {}), '/etc/envoy/rt', KEYS),
    ).toMatchObject({
      ok: false,
      reason: /subdirectory of ConfigMap envoy-config/,
    });
    expect(
      configMapKeysFor(pod({ mountPath: '/etc/envoy/runtime' }, {}), '/etc/envoy/runtime', [
        'outbound|9080||reviews',
      ]),
    ).toMatchObject({
      ok: false,
      reason: /cannot be a ConfigMap key/,
    });
    const notConfigMap = pod({ mountPath: '/etc/envoy/runtime' }, {});
    notConfigMap.spec!.volumes![1] = { name: 'runtime' };
    expect(configMapKeysFor(notConfigMap, '/etc/envoy/runtime', KEYS)).toMatchObject({
      ok: false,
      reason: /not a ConfigMap/,
    });
  });
});
