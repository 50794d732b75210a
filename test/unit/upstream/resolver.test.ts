import { describe, expect, it } from 'vitest';
import { parseHostsFile, selectFamily } from '../../../proxy/upstream/hosts-file.ts';
import { createResolver, type LookupFn } from '../../../proxy/upstream/resolver.ts';

describe('parseHostsFile', () => {
  it('collects several lines for one name as several records, in file order', () => {
    const m = parseHostsFile(
      [
        '# headless service backend-v1',
        '127.0.0.1   backend-v1.default.svc.cluster.local',
        '127.0.0.2\tbackend-v1.default.svc.cluster.local  # pod 2',
        '127.0.0.3 backend-v1.default.svc.cluster.local alias-one',
        '127.0.0.2 backend-v1.default.svc.cluster.local',
        '::1 Backend-V1.default.svc.cluster.local',
        'not-an-ip some-name',
        '',
      ].join('\n'),
    );
    expect(m.get('backend-v1.default.svc.cluster.local')).toEqual([
      '127.0.0.1',
      '127.0.0.2',
      '127.0.0.3',
      '::1',
    ]);
    expect(m.get('alias-one')).toEqual(['127.0.0.3']);
    expect(m.has('some-name')).toBe(false);
  });
});

describe('selectFamily (dns_lookup_family)', () => {
  const both = ['10.0.0.1', 'fd00::1', '10.0.0.2'];
  it('filters and prefers as Envoy', () => {
    expect(selectFamily(both, 'V4_ONLY')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(selectFamily(both, 'V6_ONLY')).toEqual(['fd00::1']);
    expect(selectFamily(both, 'AUTO')).toEqual(['fd00::1']);
    expect(selectFamily(['10.0.0.1'], 'AUTO')).toEqual(['10.0.0.1']);
    expect(selectFamily(both, 'V4_PREFERRED')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(selectFamily(['fd00::1'], 'V4_PREFERRED')).toEqual(['fd00::1']);
    expect(selectFamily(both, 'ALL')).toEqual(both);
  });
});

describe('createResolver with a system lookup', () => {
  function fakeLookup(records: Record<string, string[]>): { lookup: LookupFn; calls: string[] } {
    const calls: string[] = [];
    const lookup: LookupFn = async (name, family) => {
      calls.push(`${name}/${family}`);
      const all = records[name] ?? [];
      return family === 0 ? all : selectFamily(all, family === 4 ? 'V4_ONLY' : 'V6_ONLY');
    };
    return { lookup, calls };
  }

  it('AUTO asks for IPv6 first and falls back to IPv4', async () => {
    const f = fakeLookup({ svc: ['10.1.1.1'], dual: ['10.1.1.2', 'fd00::2'] });
    const r = createResolver({ lookup: f.lookup });
    expect(await r.resolve('svc', 'AUTO')).toEqual(['10.1.1.1']);
    expect(await r.resolve('dual', 'AUTO')).toEqual(['fd00::2']);
    expect(f.calls).toEqual(['svc/6', 'svc/4', 'dual/6']);
  });

  it('V4_ONLY asks for family 4 only; ALL asks once for both', async () => {
    const f = fakeLookup({ dual: ['10.1.1.2', 'fd00::2'] });
    const r = createResolver({ lookup: f.lookup });
    expect(await r.resolve('dual', 'V4_ONLY')).toEqual(['10.1.1.2']);
    expect(await r.resolve('dual', 'ALL')).toEqual(['10.1.1.2', 'fd00::2']);
    expect(f.calls).toEqual(['dual/4', 'dual/0']);
  });

  it('answers an IP literal without a lookup', async () => {
    const f = fakeLookup({});
    const r = createResolver({ lookup: f.lookup });
    expect(await r.resolve('127.0.0.9', 'V4_ONLY')).toEqual(['127.0.0.9']);
    expect(await r.resolve('127.0.0.9', 'V6_ONLY')).toEqual([]);
    expect(f.calls).toEqual([]);
  });

  it('passes lookup failures through', async () => {
    const r = createResolver({
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN svc'), { code: 'EAI_AGAIN' });
      },
    });
    await expect(r.resolve('svc', 'V4_ONLY')).rejects.toThrow('EAI_AGAIN');
  });
});
