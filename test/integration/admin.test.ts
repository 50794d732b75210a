// The admin server over real HTTP on 127.0.0.1, with a hand-built context.
import http from 'node:http';
import { getMetricsFromIterator } from 'prom2javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminServer, startAdmin } from '../../proxy/admin/admin-server.ts';
import { type FakeAdmin, fakeAdminContext } from '../support/fake-admin-context.ts';

let fake: FakeAdmin;
let admin: AdminServer;
let base: string;

beforeAll(async () => {
  fake = fakeAdminContext();
  admin = await startAdmin(fake.ctx, { address: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${admin.address.port}`;
});

afterAll(async () => {
  await admin.close();
});

async function get(path: string, init?: RequestInit) {
  const res = await fetch(base + path, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text(), res };
}

const post = (path: string, init: RequestInit = {}) => get(path, { method: 'POST', ...init });

/** Sends a body of `size` bytes, either with Content-Length or chunked, and returns status + body. */
function sendBody(size: number, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/runtime_modify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(chunked ? {} : { 'content-length': String(size) }),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may close while we are still writing; the response already tells the outcome.
    req.on('error', (e) => (req.writableFinished ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('admin server', () => {
  it('serves the home page and the help list', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.type).toBe('text/html; charset=UTF-8');
    expect(home.body).toContain('<a href="/stats/prometheus">');
    const help = await get('/help');
    expect(help.body).toMatch(/^admin commands are:\n/);
    expect(help.res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('/stats/prometheus parses and carries the store’s values', async () => {
    const r = await get('/stats/prometheus');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; charset=UTF-8');
    const m = await getMetricsFromIterator(r.body.split('\n')[Symbol.iterator]());
    expect(m['envoy_cluster_upstream_rq']!.data).toContainEqual({
      labels: { envoy_response_code: '503', envoy_cluster_name: 'backend_v1' },
      value: 1,
    });
    expect(m['envoy_cluster_upstream_rq_time']!.type).toBe('histogram');
  });

  it('/stats/prometheus honours usedonly and filter, and rejects a bad filter', async () => {
    const used = await get('/stats/prometheus?usedonly');
    expect(used.body).not.toContain('upstream_cx_connect_fail');
    const one = await get(`/stats/prometheus?filter=${encodeURIComponent('cluster\\.backend_v2\\.')}`);
    expect(one.body).toContain('envoy_cluster_name="backend_v2"');
    expect(one.body).not.toContain('backend_v1');
    const bad = await get('/stats/prometheus?filter=%28');
    expect(bad).toMatchObject({ status: 400, body: 'Invalid re2 regex' });
  });

  it('/stats as text, json and prometheus', async () => {
    const text = await get('/stats');
    expect(text.body).toContain('cluster.backend_v1.upstream_rq_total: 8\n');
    expect(text.body).toMatch(/cluster\.backend_v1\.upstream_rq_time: P0\(nan,[^)]+\) P25/);
    const json = await get('/stats?format=json');
    expect(json.type).toBe('application/json');
    expect(JSON.parse(json.body).stats[0]).toEqual({
      name: 'cluster.backend_v1.upstream_cx_active',
      value: 2,
    });
    const prom = await get('/stats?format=prometheus&filter=server');
    expect(prom.body).toBe('# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n');
  });

  it('/clusters as text and json', async () => {
    const text = await get('/clusters');
    expect(text.body).toContain('backend_v1::127.0.0.1:8081::rq_success::7\n');
    expect(text.body).toContain('backend_v2::127.0.0.2:8082::health_flags::/failed_active_hc\n');
    const json = JSON.parse((await get('/clusters?format=json')).body);
    expect(json.cluster_statuses.map((c: { name: string }) => c.name)).toEqual(['backend_v1', 'backend_v2']);
    expect(json.cluster_statuses[1].host_statuses[0].health_status.failed_active_health_check).toBe(true);
  });

  it('/config_dump, with resource and error codes', async () => {
    const all = JSON.parse((await get('/config_dump')).body);
    expect(all.configs).toHaveLength(4);
    const routes = JSON.parse((await get('/config_dump?resource=static_route_configs')).body);
    expect(
      routes.configs[0].route_config.virtual_hosts[0].routes[0].route.weighted_clusters.runtime_key_prefix,
    ).toBe('routing.traffic_split.backend');
    expect((await get('/config_dump?resource=bogus')).status).toBe(404);
  });

  it('/runtime and POST /runtime_modify by query and by form body', async () => {
    expect((await post('/runtime_modify?routing.traffic_split.backend.backend_v1=50')).body).toBe('OK\n');
    const form = await post('/runtime_modify', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'routing.traffic_split.backend.backend_v2=50',
    });
    expect(form).toMatchObject({ status: 200, body: 'OK\n' });
    const rt = JSON.parse((await get('/runtime')).body);
    expect(rt.layers).toEqual(['static_layer_0', 'admin']);
    expect(rt.entries['routing.traffic_split.backend.backend_v1']).toEqual({
      final_value: '50',
      layer_values: ['80', '50'],
    });
    expect(rt.entries['routing.traffic_split.backend.backend_v2'].final_value).toBe('50');
  });

  it('refuses GET /runtime_modify, bad runtime values and empty modifications', async () => {
    const viaGet = await get('/runtime_modify?routing.x=1');
    expect(viaGet).toMatchObject({ status: 405, body: 'Method GET not allowed, POST required.' });
    const bad = await post('/runtime_modify?routing.x=1&routing.y=oops');
    expect(bad).toMatchObject({
      status: 400,
      body: 'runtime value for routing.y must be an integer, got "oops"',
    });
    expect(fake.runtime.adminLayer['routing.x']).toBeUndefined();
    expect((await post('/runtime_modify')).status).toBe(400);
  });

  it('/ready, /healthcheck/fail and /healthcheck/ok', async () => {
    expect(await get('/ready')).toMatchObject({ status: 200, body: 'LIVE\n' });
    expect((await post('/healthcheck/fail')).body).toBe('OK\n');
    expect(await get('/ready')).toMatchObject({ status: 503, body: 'DRAINING\n' });
    expect((await get('/healthcheck/ok')).status).toBe(405);
    expect((await post('/healthcheck/ok')).body).toBe('OK\n');
    expect((await get('/ready')).status).toBe(200);
  });

  it('/server_info, /listeners and /memory', async () => {
    const info = JSON.parse((await get('/server_info')).body);
    expect(info).toMatchObject({
      state: 'LIVE',
      hot_restart_version: 'disabled',
      version: fake.ctx.server.version,
    });
    expect((await get('/listeners')).body).toBe('listener_0::0.0.0.0:10000\n');
    expect(JSON.parse((await get('/listeners?format=json')).body).listener_statuses[0].name).toBe(
      'listener_0',
    );
    const mem = JSON.parse((await get('/memory')).body);
    expect(Number(mem.allocated)).toBeGreaterThan(0);
    expect(typeof mem.total_physical_bytes).toBe('string');
  });

  it('404s unknown paths', async () => {
    const r = await get('/does/not/exist');
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/^invalid path\. admin commands are:/);
  });

  it('answers 413 to an oversized body, declared or chunked, and keeps serving', async () => {
    expect(await sendBody(2 * 1024 * 1024, false)).toEqual({ status: 413, body: 'Payload Too Large' });
    expect(await sendBody(2 * 1024 * 1024, true)).toEqual({ status: 413, body: 'Payload Too Large' });
    expect((await get('/ready')).status).toBe(200);
  });

  it('POST /quitquitquit answers OK, then quits', async () => {
    expect(await post('/quitquitquit')).toMatchObject({ status: 200, body: 'OK\n' });
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.quits).toBe(1);
  });
});
