import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AdminRequest } from '../../../proxy/admin/admin-response.ts';
import { handleRuntimeModify, renderRuntime } from '../../../proxy/admin/runtime-handlers.ts';
import { fakeAdminContext } from '../../support/fake-admin-context.ts';
import { ENVOY_FIXTURES } from '../../support/shared-paths.ts';

const FIXTURES = ENVOY_FIXTURES;

function post(query: string, body = '', contentType = ''): AdminRequest {
  return { method: 'POST', path: '/runtime_modify', query: new URLSearchParams(query), body, contentType };
}

describe('/runtime', () => {
  it.each([
    'envoy_runtime_istio_ingressgateway_cve_2020_007.json',
    'envoy_runtime_after_runtime_modify_envoy1.8.json',
  ])('re-renders %s to the same document', (file) => {
    const fixture = JSON.parse(readFileSync(`${FIXTURES}/${file}`, 'utf8'));
    const text = renderRuntime(fixture);
    expect(JSON.parse(text)).toEqual(fixture);
    // Struct keys print sorted, as in the Istio sample: entries before layers.
    expect(Object.keys(JSON.parse(text))).toEqual(['entries', 'layers']);
  });

  it('shows an admin override the way Envoy 1.8 did after runtime_modify', () => {
    const f = fakeAdminContext();
    expect(handleRuntimeModify(f.ctx, post('routing.traffic_split.backend.backend_v1=20'))).toMatchObject({
      status: 200,
      body: 'OK\n',
    });
    const entry = JSON.parse(renderRuntime(f.ctx.runtime.dump())).entries[
      'routing.traffic_split.backend.backend_v1'
    ];
    const after = JSON.parse(
      readFileSync(`${FIXTURES}/envoy_runtime_after_runtime_modify_envoy1.8.json`, 'utf8'),
    );
    // Same shape as the fixture's entry: static value, then the admin value, which wins.
    expect(Object.keys(entry).sort()).toEqual(Object.keys(after.entries['health_check.min_interval']).sort());
    expect(entry).toEqual({ final_value: '20', layer_values: ['80', '20'] });
  });
});

describe('/runtime_modify', () => {
  it('takes form values from the body when the query is empty', () => {
    const f = fakeAdminContext();
    const r = handleRuntimeModify(f.ctx, post('', 'a.b=1&c.d=2', 'application/x-www-form-urlencoded'));
    expect(r.status).toBe(200);
    expect(f.runtime.adminLayer).toEqual({ 'a.b': '1', 'c.d': '2' });
  });

  it('ignores a body that is not form-encoded, and answers usage with 400', () => {
    const f = fakeAdminContext();
    const r = handleRuntimeModify(f.ctx, post('', 'a.b=1', 'text/plain'));
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/^usage: \/runtime_modify\?key1=value1/);
    expect(f.runtime.adminLayer).toEqual({});
  });

  it('answers 400 with the runtime’s message and changes nothing when it refuses', () => {
    const f = fakeAdminContext();
    const r = handleRuntimeModify(f.ctx, post('x.ok=5&x.bad=abc'));
    expect(r).toMatchObject({ status: 400, body: 'runtime value for x.bad must be an integer, got "abc"' });
    expect(f.runtime.adminLayer).toEqual({});
  });

  it('an empty value removes an override', () => {
    const f = fakeAdminContext();
    handleRuntimeModify(f.ctx, post('k=1'));
    handleRuntimeModify(f.ctx, post('k='));
    expect(f.runtime.adminLayer).toEqual({});
  });
});
