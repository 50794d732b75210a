import { describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import {
  seriesKeyOfLabels,
  seriesKeyOfTarget,
  targetLabelNames,
} from '../../../server/sources/prometheus/series-target-mapping.ts';

function target(over: Partial<SidecarTarget> & { baseUrl?: string } = {}): SidecarTarget {
  const { baseUrl = 'http://10.1.2.3:15000', ...rest } = over;
  return {
    id: 'shop/frontend-7d9f-abcde',
    namespace: 'shop',
    workload: 'frontend',
    pod: 'frontend-7d9f-abcde',
    kind: 'envoy',
    admin: { baseUrl },
    statsPath: '/stats/prometheus',
    ...rest,
  };
}

describe('series → sidecar by instance', () => {
  const m = { by: 'instance' } as const;

  it('matches the instance label to the admin endpoint host:port', () => {
    expect(targetLabelNames(m)).toEqual(['instance']);
    expect(seriesKeyOfTarget(target(), m)).toBe('10.1.2.3:15000');
    expect(seriesKeyOfLabels({ instance: '10.1.2.3:15000', job: 'envoy' }, m)).toBe('10.1.2.3:15000');
  });

  it('fills in the scheme default port, as Prometheus does', () => {
    expect(seriesKeyOfTarget(target({ baseUrl: 'http://sidecar.local/' }), m)).toBe('sidecar.local:80');
    expect(seriesKeyOfTarget(target({ baseUrl: 'https://sidecar.local' }), m)).toBe('sidecar.local:443');
    expect(seriesKeyOfTarget(target({ baseUrl: 'http://[::1]:15000' }), m)).toBe('[::1]:15000');
  });

  it('uses the scraped port when Prometheus scrapes another port than the admin one (Istio :15090)', () => {
    const istio = { by: 'instance', port: 15090 } as const;
    expect(seriesKeyOfTarget(target({ kind: 'istio-proxy' }), istio)).toBe('10.1.2.3:15090');
    expect(targetLabelNames({ by: 'instance', label: 'scrape_target' })).toEqual(['scrape_target']);
  });

  it('matches nothing for an unparsable admin URL or a series without the label', () => {
    expect(seriesKeyOfTarget(target({ baseUrl: 'not a url' }), m)).toBeUndefined();
    expect(seriesKeyOfLabels({ job: 'envoy' }, m)).toBeUndefined();
    expect(seriesKeyOfLabels({ instance: '' }, m)).toBeUndefined();
  });
});

describe('series → sidecar by namespace and pod', () => {
  const m = { by: 'pod' } as const;

  it('matches namespace/pod labels to the target, whatever its admin URL', () => {
    const t = target({
      baseUrl: 'https://api.example:6443/api/v1/namespaces/shop/pods/frontend-7d9f-abcde:15000/proxy',
    });
    expect(targetLabelNames(m)).toEqual(['namespace', 'pod']);
    expect(seriesKeyOfTarget(t, m)).toBe('shop/frontend-7d9f-abcde');
    expect(seriesKeyOfLabels({ namespace: 'shop', pod: 'frontend-7d9f-abcde', instance: 'x:1' }, m)).toBe(
      'shop/frontend-7d9f-abcde',
    );
  });

  it('follows renamed labels (older Kubernetes SD relabelling)', () => {
    const old = {
      by: 'pod',
      namespaceLabel: 'kubernetes_namespace',
      podLabel: 'kubernetes_pod_name',
    } as const;
    expect(seriesKeyOfLabels({ kubernetes_namespace: 'shop', kubernetes_pod_name: 'p-1' }, old)).toBe(
      'shop/p-1',
    );
    expect(seriesKeyOfLabels({ namespace: 'shop', pod: 'p-1' }, old)).toBeUndefined();
  });

  it('matches nothing for a target without a pod, or a series missing either label', () => {
    expect(seriesKeyOfTarget(target({ pod: undefined }), m)).toBeUndefined();
    expect(seriesKeyOfLabels({ namespace: 'shop' }, m)).toBeUndefined();
    expect(seriesKeyOfLabels({ pod: 'p-1' }, m)).toBeUndefined();
  });
});
