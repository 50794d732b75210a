import { describe, expect, it } from 'vitest';
import type { AdminRequest } from '../../../proxy/admin/admin-response.ts';
import { dispatchAdmin } from '../../../proxy/admin/admin-routes.ts';
import { HistogramIntervals } from '../../../proxy/stats/histogram-quantiles.ts';
import { fakeAdminContext } from '../../support/fake-admin-context.ts';

function request(method: string, target: string): AdminRequest {
  const [path = '', query = ''] = target.split('?');
  return { method, path, query: new URLSearchParams(query), body: '', contentType: '' };
}

function call(f: ReturnType<typeof fakeAdminContext>, method: string, target: string) {
  return dispatchAdmin(f.ctx, request(method, target), { intervals: new HistogramIntervals() });
}

describe('dispatchAdmin', () => {
  it('404s unknown paths with Envoy’s “invalid path” help text', () => {
    const r = call(fakeAdminContext(), 'GET', '/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/^invalid path\. admin commands are:\n {2}\/: Admin home page\n/);
    expect(r.body).toContain('  /stats/prometheus: print server stats in prometheus format\n');
  });

  it('matches paths exactly (no prefix matching)', () => {
    expect(call(fakeAdminContext(), 'GET', '/statsx').status).toBe(404);
    expect(call(fakeAdminContext(), 'GET', '/stats/').status).toBe(404);
  });

  it.each([
    '/runtime_modify?a=1',
    '/healthcheck/fail',
    '/healthcheck/ok',
    '/quitquitquit',
    '/reset_counters',
  ])('GET %s is refused like Envoy refuses state changes without POST', (target) => {
    const f = fakeAdminContext();
    const r = call(f, 'GET', target);
    expect(r).toMatchObject({ status: 405, body: 'Method GET not allowed, POST required.' });
    expect(f.runtime.adminLayer).toEqual({});
    expect(f.ctx.server.healthcheckFailed).toBe(false);
    expect(r.afterSend).toBeUndefined();
  });

  it('/ready follows the server state and the health-check flag', () => {
    const f = fakeAdminContext();
    expect(call(f, 'GET', '/ready')).toMatchObject({ status: 200, body: 'LIVE\n' });
    expect(call(f, 'POST', '/healthcheck/fail')).toMatchObject({ status: 200, body: 'OK\n' });
    expect(call(f, 'GET', '/ready')).toMatchObject({ status: 503, body: 'DRAINING\n' });
    call(f, 'POST', '/healthcheck/ok');
    f.setState('INITIALIZING');
    expect(call(f, 'GET', '/ready')).toMatchObject({ status: 503, body: 'INITIALIZING\n' });
  });

  it('/quitquitquit answers OK and quits only once the answer is sent', () => {
    const f = fakeAdminContext();
    const r = call(f, 'POST', '/quitquitquit');
    expect(r.body).toBe('OK\n');
    expect(f.quits).toBe(0);
    r.afterSend?.();
    expect(f.quits).toBe(1);
  });

  it('/stats routes by format and rejects a bad filter with 400', () => {
    const f = fakeAdminContext();
    expect(call(f, 'GET', '/stats?format=prometheus').body).toContain(
      '# TYPE envoy_cluster_upstream_rq counter\n',
    );
    expect(call(f, 'GET', '/stats?format=json').contentType).toBe('json');
    expect(call(f, 'GET', '/stats/prometheus?filter=(')).toMatchObject({
      status: 400,
      body: 'Invalid re2 regex',
    });
    expect(call(f, 'GET', '/stats?format=xml').status).toBe(400);
  });

  it('POST /reset_counters zeroes counters but not gauges', () => {
    const f = fakeAdminContext();
    call(f, 'POST', '/reset_counters');
    expect(f.ctx.stats.counter('http.ingress_http.downstream_rq_total').value).toBe(0);
    expect(f.ctx.stats.gauge('server.live').value).toBe(1);
  });

  it('/server_info reports uptime, state and node like Envoy’s ServerInfo', () => {
    const f = fakeAdminContext();
    const info = JSON.parse(call(f, 'GET', '/server_info').body);
    expect(Object.keys(info)).toEqual([
      'version',
      'state',
      'uptime_current_epoch',
      'uptime_all_epochs',
      'hot_restart_version',
      'command_line_options',
      'node',
    ]);
    expect(info.state).toBe('LIVE');
    expect(info.uptime_current_epoch).toMatch(/^4[2-9]s$/);
    expect(info.node).toEqual({ id: 'sidecar-1', cluster: 'frontend' });
  });

  it('/listeners as text and json', () => {
    const f = fakeAdminContext();
    expect(call(f, 'GET', '/listeners').body).toBe('listener_0::0.0.0.0:10000\n');
    expect(JSON.parse(call(f, 'GET', '/listeners?format=json').body)).toEqual({
      listener_statuses: [
        { name: 'listener_0', local_address: { socket_address: { address: '0.0.0.0', port_value: 10000 } } },
      ],
    });
  });
});
