import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { RuntimeLayer } from '../../../proxy/config/model.ts';
import { LayeredRuntime, RuntimeModifyError } from '../../../proxy/runtime/layered-runtime.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { ENVOY_FIXTURES } from '../../support/shared-paths.ts';

const FIXTURES = ENVOY_FIXTURES;

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURES}/${name}`, 'utf8'));
}

const base: RuntimeLayer = {
  kind: 'static',
  name: 'base',
  values: { routing: { traffic_shift: { backend_v1: 90, backend_v2: 10 } }, feature: { enabled: true } },
};
const overrides: RuntimeLayer = {
  kind: 'static',
  name: 'overrides',
  values: { 'routing.traffic_shift.backend_v1': '70', other: 'x' },
};
const admin: RuntimeLayer = { kind: 'admin', name: 'admin' };

function runtime(
  layers: RuntimeLayer[],
  opts: Partial<ConstructorParameters<typeof LayeredRuntime>[1]> = {},
) {
  return new LayeredRuntime(layers, { serviceCluster: 'frontend', ...opts });
}

describe('layer precedence', () => {
  it('lets later layers override earlier ones, key by key', () => {
    const rt = runtime([base, overrides, admin]);
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 50)).toBe(70);
    expect(rt.getInteger('routing.traffic_shift.backend_v2', 50)).toBe(10);
    expect(rt.get('feature.enabled')).toBe('true');
    rt.modify({ 'routing.traffic_shift.backend_v2': '30' });
    expect(rt.getInteger('routing.traffic_shift.backend_v2', 50)).toBe(30);
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 50)).toBe(70);
  });

  it('falls back for absent keys and for values with no integer reading', () => {
    const rt = runtime([{ kind: 'static', name: 's', values: { neg: -5, word: 'high', flag: false } }]);
    expect(rt.getInteger('missing', 7)).toBe(7);
    expect(rt.getInteger('neg', 7)).toBe(7);
    expect(rt.getInteger('word', 7)).toBe(7);
    expect(rt.getInteger('flag', 7)).toBe(7);
    expect(rt.get('neg')).toBe('-5');
  });

  it('refuses duplicate layer names and a second admin layer, as Envoy', () => {
    expect(() => runtime([base, { ...base }])).toThrow('Duplicate layer name: base');
    expect(() => runtime([admin, { kind: 'admin', name: 'admin2' }])).toThrow('Too many admin layers');
  });
});

describe('dump() is Envoy /runtime', () => {
  it('matches Envoy 1.8 before and after POST /runtime_modify?health_check.min_interval=20', () => {
    const rt = runtime([
      { kind: 'static', name: 'root', values: { health_check: { min_interval: 10 } } },
      admin,
    ]);
    expect(rt.dump()).toEqual(fixture('envoy_runtime_before_runtime_modify_envoy1.8.json'));
    rt.modify({ 'health_check.min_interval': '20' });
    expect(rt.dump()).toEqual(fixture('envoy_runtime_after_runtime_modify_envoy1.8.json'));
  });

  it('matches the istio-ingressgateway entries (a key set only in the middle layer)', () => {
    // The published document lists two layer names for three layer values; its entries are what we
    // can reproduce: a static layer without the key, a layer with it, and the admin layer.
    const rt = runtime([
      { kind: 'static', name: 'static_layer_0', values: { other: 1 } },
      {
        kind: 'static',
        name: 'static_layer_1',
        values: { overload: { global_downstream_max_connections: 250000 } },
      },
      admin,
    ]);
    const expected = fixture('envoy_runtime_istio_ingressgateway_cve_2020_007.json') as {
      entries: Record<string, unknown>;
    };
    const key = 'overload.global_downstream_max_connections';
    expect(rt.dump().entries[key]).toEqual(expected.entries[key]);
  });

  it('lists keys sorted, with the last non-empty layer value as final_value', () => {
    const rt = runtime([base, overrides, admin]);
    rt.modify({ other: 'y' });
    const d = rt.dump();
    expect(d.layers).toEqual(['base', 'overrides', 'admin']);
    expect(Object.keys(d.entries)).toEqual([
      'feature.enabled',
      'other',
      'routing.traffic_shift.backend_v1',
      'routing.traffic_shift.backend_v2',
    ]);
    expect(d.entries['routing.traffic_shift.backend_v1']).toEqual({
      final_value: '70',
      layer_values: ['90', '70', ''],
    });
    expect(d.entries['other']).toEqual({ final_value: 'y', layer_values: ['', 'x', 'y'] });
  });
});

describe('modify() — the admin layer', () => {
  it('removes an override with an empty value', () => {
    const rt = runtime([base, admin]);
    rt.modify({ 'routing.traffic_shift.backend_v1': '0' });
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 50)).toBe(0);
    rt.modify({ 'routing.traffic_shift.backend_v1': '' });
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 50)).toBe(90);
    expect(rt.dump().entries['routing.traffic_shift.backend_v1']?.layer_values).toEqual(['90', '']);
  });

  it('applies all keys or none: one rejected key rejects the request', () => {
    const validate = vi.fn((key: string, value: string) =>
      key.startsWith('routing.') && !/^\d+$/.test(value)
        ? 'weight must be a non-negative integer'
        : undefined,
    );
    const onChange = vi.fn();
    const rt = runtime([base, admin], { validate, onChange });
    let err: unknown;
    try {
      rt.modify({ 'routing.traffic_shift.backend_v1': '60', 'routing.traffic_shift.backend_v2': 'forty' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuntimeModifyError);
    expect((err as RuntimeModifyError).message).toBe(
      'routing.traffic_shift.backend_v2: weight must be a non-negative integer',
    );
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 50)).toBe(90);
    expect(rt.dump().entries['routing.traffic_shift.backend_v1']?.layer_values).toEqual(['90', '']);
    expect(onChange).not.toHaveBeenCalled();

    rt.modify({ 'routing.traffic_shift.backend_v1': '60', 'routing.traffic_shift.backend_v2': '40' });
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 50)).toBe(60);
    expect(rt.getInteger('routing.traffic_shift.backend_v2', 50)).toBe(40);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('does not validate removals, and does not call onChange when nothing changes', () => {
    const validate = vi.fn(() => 'never valid');
    const onChange = vi.fn();
    const rt = runtime([base, admin], { validate, onChange });
    rt.modify({ 'routing.traffic_shift.backend_v1': '' });
    expect(validate).not.toHaveBeenCalled();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('fails clearly without an admin layer', () => {
    const rt = runtime([base]);
    expect(() => rt.modify({ a: '1' })).toThrow(new RuntimeModifyError(['No admin layer specified']));
  });

  it('keeps Envoy runtime.* stats', () => {
    const stats = new StatsStore();
    const rt = runtime([base, overrides, admin], { stats });
    expect(stats.gauges.get('runtime.num_layers')?.value).toBe(3);
    expect(stats.gauges.get('runtime.num_keys')?.value).toBe(4);
    expect(stats.gauges.get('runtime.admin_overrides_active')?.value).toBe(0);
    rt.modify({ extra: '1' });
    expect(stats.gauges.get('runtime.num_keys')?.value).toBe(5);
    expect(stats.gauges.get('runtime.admin_overrides_active')?.value).toBe(1);
    expect(stats.counters.get('runtime.load_success')?.value).toBe(2);
  });
});
