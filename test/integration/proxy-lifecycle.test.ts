// The proxy as a sidecar lives it: weights shifted live through the runtime (admin layer and disk
// layer), surviving a restart only when they were written to disk; Envoy's local replies and response
// flags when upstreams are missing; bad input refused without disturbing what is served; SIGTERM
// draining in-flight requests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRuntimeDir } from '../../proxy/runtime/runtime-dir.ts';
import { staticBootstrap } from '../support/envoy-bootstrap.ts';
import { type BackendProcess, freePort, startBackend, startProxy, stopAll } from '../support/processes.ts';

// Bootstrap documents are edited in place below; their shape is Envoy's, checked by the proxy itself.
// biome-ignore lint/suspicious/noExplicitAny: a YAML document, navigated by Envoy field names
type Doc = Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), 'meshscope-lifecycle-'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function request(
  port: number,
  path = '/',
  opts: { agent?: http.Agent | false } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: opts.agent ?? agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

async function tally(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, n - i) }, () => request(port)));
    for (const r of batch) {
      const k = String(r.headers['x-backend'] ?? r.status);
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  return counts;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

let v1: BackendProcess;
let v2: BackendProcess;

beforeAll(async () => {
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
});

afterAll(async () => {
  agent.destroy();
  await stopAll();
});

/** A weighted 80/20 route whose weights live under a runtime prefix, with static, disk and admin layers. */
function runtimeBootstrap(runtimeRoot: string) {
  const b = staticBootstrap({
    clusters: [
      { name: 'backend_v1', endpoints: [{ port: v1.port }] },
      { name: 'backend_v2', endpoints: [{ port: v2.port }] },
    ],
    listeners: [
      {
        routes: [
          {
            prefix: '/',
            weightedClusters: [
              { name: 'backend_v1', weight: 80 },
              { name: 'backend_v2', weight: 20 },
            ],
          },
        ],
      },
    ],
  }) as Doc;
  const route =
    b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]
      .routes[0].route;
  route.weighted_clusters.runtime_key_prefix = 'routing.backend';
  b.layered_runtime = {
    layers: [
      { name: 'static', static_layer: {} },
      { name: 'disk', disk_layer: { symlink_root: runtimeRoot, subdirectory: 'envoy' } },
      { name: 'admin', admin_layer: {} },
    ],
  };
  return b;
}

describe('live weights through the runtime', () => {
  const runtimeRoot = join(dir, 'runtime', 'current');
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    proxy = await startProxy(runtimeBootstrap(runtimeRoot));
  });

  it('starts with the configured 80/20', async () => {
    const c = await tally(proxy.listenerPort, 500);
    expect(Math.abs((c.v1 ?? 0) - 400)).toBeLessThanOrEqual(40);
  });

  it('shifts to 0/100 at once with POST /runtime_modify, and reads it back from /runtime', async () => {
    const r = await proxy.admin(
      '/runtime_modify?routing.backend.backend_v1=0&routing.backend.backend_v2=100',
      'POST',
    );
    expect(r).toEqual({ status: 200, body: 'OK\n' });
    expect(await tally(proxy.listenerPort, 200)).toEqual({ v2: 200 });
    const rt = JSON.parse((await proxy.admin('/runtime')).body);
    expect(rt.layers).toEqual(['static', 'admin']);
    expect(rt.entries['routing.backend.backend_v1']).toEqual({ final_value: '0', layer_values: ['', '0'] });
  });

  it('refuses a non-integer weight with 400 and changes nothing', async () => {
    const r = await proxy.admin(
      '/runtime_modify?routing.backend.backend_v2=50&routing.backend.backend_v1=lots',
      'POST',
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/routing\.backend\.backend_v1.*integer/);
    expect(await tally(proxy.listenerPort, 100)).toEqual({ v2: 100 });
  });

  it('an empty value removes the admin override, and the disk layer then decides', async () => {
    await writeRuntimeDir(
      runtimeRoot,
      { 'routing.backend.backend_v1': '50', 'routing.backend.backend_v2': '50' },
      {
        subdirectory: 'envoy',
      },
    );
    await proxy.admin('/runtime_modify?routing.backend.backend_v1=&routing.backend.backend_v2=', 'POST');
    const rt = await eventually(
      async () => JSON.parse((await proxy.admin('/runtime')).body),
      (d) => d.entries['routing.backend.backend_v1']?.final_value === '50',
    );
    expect(rt.layers).toEqual(['static', 'disk', 'admin']);
    const c = await tally(proxy.listenerPort, 1000);
    expect(Math.abs((c.v1 ?? 0) - 500)).toBeLessThanOrEqual(60);
  });

  it('keeps disk-layer weights across a restart, and drops admin-layer ones (as Envoy does)', async () => {
    await writeRuntimeDir(
      runtimeRoot,
      { 'routing.backend.backend_v1': '0', 'routing.backend.backend_v2': '100' },
      {
        subdirectory: 'envoy',
      },
    );
    await eventually(
      () => tally(proxy.listenerPort, 50),
      (c) => c.v2 === 50,
    );
    await proxy.admin('/runtime_modify?routing.backend.backend_v1=100&routing.backend.backend_v2=0', 'POST');
    expect(await tally(proxy.listenerPort, 50)).toEqual({ v1: 50 });
    const config = readFileSync(proxy.configPath, 'utf8');
    expect(await proxy.stop()).toBe(0);
    proxy = await startProxy(config);
    expect(await tally(proxy.listenerPort, 100)).toEqual({ v2: 100 });
  });
});

describe('local replies and response flags', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const accessLog = join(dir, 'access.log');
  let closedPort: number;

  beforeAll(async () => {
    closedPort = await freePort();
    const b = staticBootstrap({
      clusters: [
        { name: 'ok', endpoints: [{ port: v1.port }] },
        { name: 'refused', endpoints: [{ port: closedPort }], connectTimeout: '0.5s' },
        { name: 'empty', endpoints: [] },
      ],
      listeners: [
        {
          domains: ['*'],
          routes: [
            { prefix: '/refused', cluster: 'refused' },
            { prefix: '/empty', cluster: 'empty' },
            { prefix: '/delay', cluster: 'ok', timeout: '0.3s' },
            { prefix: '/ok', cluster: 'ok' },
          ],
        },
      ],
    }) as Doc;
    const hcm = b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    hcm.access_log = [
      {
        name: 'envoy.access_loggers.file',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
          path: accessLog,
        },
      },
    ];
    b.static_resources.clusters[2].load_assignment.endpoints = [];
    proxy = await startProxy(b);
  });

  it('answers 503 UF on connection failure, 503 UH with no hosts, 404 NR without a route, 504 UT on timeout', async () => {
    const uf = await request(proxy.listenerPort, '/refused');
    expect(uf.status).toBe(503);
    expect(uf.body).toMatch(
      /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure/,
    );
    const uh = await request(proxy.listenerPort, '/empty');
    expect([uh.status, uh.body]).toEqual([503, 'no healthy upstream']);
    const nr = await request(proxy.listenerPort, '/nowhere');
    expect(nr.status).toBe(404);
    const ut = await request(proxy.listenerPort, '/delay/2000');
    expect([ut.status, ut.body]).toEqual([504, 'upstream request timeout']);
    const ok = await request(proxy.listenerPort, '/ok');
    expect(ok.status).toBe(200);
    expect(Number(ok.headers['x-envoy-upstream-service-time'])).toBeGreaterThanOrEqual(0);

    const lines = await eventually(
      async () => (readFileSafe(accessLog) ?? '').trim().split('\n'),
      (l) => l.length >= 5,
    );
    expect(lines.find((l) => l.includes('/refused'))).toMatch(/" 503 UF /);
    expect(lines.find((l) => l.includes('/empty'))).toMatch(/" 503 UH /);
    expect(lines.find((l) => l.includes('/nowhere'))).toMatch(/" 404 NR /);
    expect(lines.find((l) => l.includes('/delay'))).toMatch(/" 504 UT /);
    // The generated x-request-id is logged like Envoy logs it.
    expect(lines.find((l) => l.includes('/ok'))).toMatch(/"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });

  it('counts the 503 causes in the stats the dashboard splits them by', async () => {
    const stats = (await proxy.admin('/stats?filter=cluster\\.(refused|empty)\\.')).body;
    expect(stats).toMatch(/^cluster\.refused\.upstream_cx_connect_fail: 1$/m);
    expect(stats).toMatch(/^cluster\.refused\.upstream_rq_503: 1$/m);
    expect(stats).toMatch(/^cluster\.empty\.upstream_cx_none_healthy: 1$/m);
    expect(stats).toMatch(/^cluster\.empty\.upstream_rq_503: 1$/m);
  });
});

function readFileSafe(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

describe('bad input and life cycle', () => {
  it('refuses to start when a listener port is in use, naming the port', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const b = staticBootstrap({
      clusters: [{ name: 'c', endpoints: [{ port: v1.port }] }],
      listeners: [{ port }],
    });
    await expect(startProxy(b)).rejects.toThrow(/cannot bind 127\.0\.0\.1:\d+: address already in use/);
    blocker.close();
  });

  it('--mode validate exits 0 for a good file and non-zero naming the field for a bad one', () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, readFileSync('proxy/examples/weighted-80-20.yaml', 'utf8'));
    writeFileSync(
      bad,
      readFileSync('proxy/examples/weighted-80-20.yaml', 'utf8')
        .replace('weight: 80', 'weight: 0')
        .replace('weight: 20', 'weight: 0'),
    );
    const ok = spawnSync('bin/meshscope-proxy', ['--mode', 'validate', '-c', good], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('OK');
    const ko = spawnSync('bin/meshscope-proxy', ['--mode', 'validate', '-c', bad], { encoding: 'utf8' });
    expect(ko.status).not.toBe(0);
    expect(ko.stderr).toMatch(/weighted_clusters/);
  });

  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const proxy = await startProxy(
      staticBootstrap({ clusters: [{ name: 'c', endpoints: [{ port: v1.port }] }] }),
      { args: ['--drain-time-s', '5'] },
    );
    const inflight = request(proxy.listenerPort, '/delay/800', { agent: false });
    await new Promise((r) => setTimeout(r, 200));
    const exited = proxy.stop('SIGTERM');
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.headers.connection).toBe('close');
    expect(await exited).toBe(0);
  });
});
