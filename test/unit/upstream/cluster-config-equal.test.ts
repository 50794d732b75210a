import { describe, expect, it } from 'vitest';
import { clusterConfigEqual } from '../../../proxy/upstream/cluster-config-equal.ts';
import { clusterConfig } from './fake-resolver.ts';

describe('clusterConfigEqual', () => {
  const base = clusterConfig({
    name: 'c',
    type: 'STRICT_DNS',
    endpoints: [{ address: 'svc', port: 80, weight: 1 }],
    tls: { sni: 'svc', alpn: ['http/1.1'] },
  });

  it('compares structure, not identity or key order', () => {
    const copy: typeof base = JSON.parse(JSON.stringify(base));
    const reordered: typeof base = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(copy).reverse())),
    );
    expect(clusterConfigEqual(base, reordered)).toBe(true);
  });

  it('treats an optional field set to undefined as absent', () => {
    const a = clusterConfig({ name: 'c' });
    expect(clusterConfigEqual(a, { ...a, tls: undefined })).toBe(true);
  });

  it('sees any difference, however deep', () => {
    expect(clusterConfigEqual(base, { ...base, dnsRefreshRateMs: 1000 })).toBe(false);
    expect(clusterConfigEqual(base, { ...base, endpoints: [{ address: 'svc', port: 81, weight: 1 }] })).toBe(
      false,
    );
    expect(clusterConfigEqual(base, { ...base, tls: { sni: 'svc', alpn: ['h2'] } })).toBe(false);
    expect(clusterConfigEqual(base, { ...base, endpoints: [] })).toBe(false);
  });
});
