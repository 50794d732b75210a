// Fidelity of the fake API server, checked with real clients: the installed kubectl (list, get, watch,
// create, patch, delete) and client-node's ListWatch (list + watch, 410 relist in both forms).
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, ListWatch, type V1ConfigMap, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.ts';
import { defaultSearchPath } from '../../support/system-tools.ts';

function findKubectl(): string {
  for (const dir of defaultSearchPath()) {
    try {
      accessSync(join(dir, 'kubectl'), constants.X_OK);
      return join(dir, 'kubectl');
    } catch {
      // keep looking
    }
  }
  throw new Error('kubectl not found on PATH or in /usr/local/bin, /usr/bin');
}

const KUBECTL = findKubectl();
let server: FakeKubeApiServer;
let dir: string;

// `--server` and an empty kubeconfig, so nothing from the user's ~/.kube leaks in; a private cache
// directory, since kubectl caches discovery per host:port.
function kubectlArgs(args: string[]): string[] {
  return [`--server=${server.url}`, `--cache-dir=${join(dir, 'cache')}`, ...args];
}

const kubectlEnv = () => ({ ...process.env, KUBECONFIG: join(dir, 'empty-kubeconfig') });

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, kubectlArgs(args), { timeout: 20_000, env: kubectlEnv() }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function configMap(name: string, namespace: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

function pod(name: string, namespace: string, ip: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { phase: 'Running', podIP: ip },
  };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
  writeFileSync(join(dir, 'empty-kubeconfig'), '');
});

beforeEach(async () => {
  await server?.close();
  server = new FakeKubeApiServer();
  await server.start();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl against the fake API server', () => {
  it('lists pods in all namespaces', async () => {
    server.apply(pod('web-1', 'shop', '127.0.0.2'));
    server.apply(pod('db-1', 'data', '127.0.0.3'));
    const r = await kubectl('get', 'pods', '-A');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    expect(rows).toEqual(['NAMESPACE NAME', 'data db-1', 'shop web-1']);
    expect(server.requests.map((q) => q.url)).toContain('/api/v1/pods?limit=500');
  });

  it('pages through a list with --chunk-size (limit and continue)', async () => {
    for (let i = 0; i < 5; i++) server.apply(configMap(`cm-${i}`, 'default', { i: String(i) }));
    const r = await kubectl('get', 'configmaps', '--chunk-size=2', '-o', 'name');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([0, 1, 2, 3, 4].map((i) => `configmap/cm-${i}`));
    const pages = server.requests.filter((q) => q.url.startsWith('/api/v1/namespaces/default/configmaps?'));
    expect(pages).toHaveLength(3);
    expect(pages[1]?.url).toContain('continue=');
  });

  it('gets a ConfigMap as YAML', async () => {
    const stored = server.apply(configMap('settings', 'default', { 'weight.v1': '80', 'weight.v2': '20' }));
    const r = await kubectl('get', 'configmap', 'settings', '-o', 'yaml');
    expect(r.code).toBe(0);
    const doc = YAML.parse(r.stdout) as { kind: string; data: unknown; metadata: Record<string, unknown> };
    expect(doc.kind).toBe('ConfigMap');
    expect(doc.data).toEqual({ 'weight.v1': '80', 'weight.v2': '20' });
    expect(doc.metadata['resourceVersion']).toBe(stored.metadata.resourceVersion);
    expect(doc.metadata['uid']).toBe(stored.metadata.uid);
  });

  it('answers a missing object with NotFound', async () => {
    const r = await kubectl('get', 'configmap', 'nope');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound): configmaps "nope" not found');
  });

  it('creates from a file (without validation), refuses a duplicate, patches with a merge patch, deletes', async () => {
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, YAML.stringify(configMap('routes', 'default', { a: '1', b: '2' })));
    const created = await kubectl('create', '-f', file, '--validate=false');
    expect(created.stdout.trim()).toBe('configmap/routes created');
    expect(server.get('ConfigMap', 'default', 'routes')?.['data']).toEqual({ a: '1', b: '2' });
    expect(server.requests.some((q) => q.method === 'POST' && q.url.includes('fieldValidation=Ignore'))).toBe(
      true,
    );

    const again = await kubectl('create', '-f', file, '--validate=false');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('AlreadyExists');

    const patched = await kubectl(
      'patch',
      'configmap',
      'routes',
      '--type=merge',
      '-p',
      '{"data":{"a":"9","b":null,"c":"3"}}',
    );
    expect(patched.stdout.trim()).toBe('configmap/routes patched');
    expect(server.get('ConfigMap', 'default', 'routes')?.['data']).toEqual({ a: '9', c: '3' });
    const patch = server.requests.find((q) => q.method === 'PATCH');
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');

    const strategic = await kubectl('patch', 'configmap', 'routes', '-p', '{"data":{"d":"4"}}');
    expect(strategic.code).toBe(0);
    expect(server.get('ConfigMap', 'default', 'routes')?.['data']).toEqual({ a: '9', c: '3', d: '4' });

    const deleted = await kubectl('delete', 'configmap', 'routes');
    expect(deleted.stdout.trim()).toBe('configmap "routes" deleted');
    expect(server.get('ConfigMap', 'default', 'routes')).toBeUndefined();
  });

  it('filters with a label selector', async () => {
    server.apply({
      ...configMap('a', 'default', {}),
      metadata: { name: 'a', namespace: 'default', labels: { tier: 'web' } },
    });
    server.apply({
      ...configMap('b', 'default', {}),
      metadata: { name: 'b', namespace: 'default', labels: { tier: 'db' } },
    });
    const r = await kubectl('get', 'configmaps', '-l', 'tier in (web,cache)', '-o', 'name');
    expect(r.stdout.trim()).toBe('configmap/a');
  });

  it('watches: sees a change made after the list, and exits 0 when the server ends the watch', async () => {
    server.apply(pod('web-1', 'shop', '127.0.0.2'));
    const child = spawn(KUBECTL, kubectlArgs(['get', 'pods', '-n', 'shop', '-w', '-o', 'name']), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: kubectlEnv(),
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await until(() => server.openWatches('pods') > 0 || undefined, 'kubectl to open its watch');
      const watchUrl = server.requests.find((q) => q.url.includes('watch=true'))?.url ?? '';
      expect(new URL(watchUrl, server.url).searchParams.get('resourceVersion')).toBe(
        server.store.resourceVersion,
      );
      server.apply(pod('web-2', 'shop', '127.0.0.3'));
      await until(() => out.includes('pod/web-2') || undefined, 'the ADDED event in kubectl output');
      expect(server.dropWatches()).toBe(1);
      expect(await exited).toBe(0);
      expect(out.trim().split('\n')).toEqual(['pod/web-1', 'pod/web-2']);
    } finally {
      child.kill();
    }
  });
});

describe('the watch wire format', () => {
  /** Opens a watch and resolves once its headers arrive (before any event: the fake flushes them). */
  function openWatch(query: string) {
    return new Promise<{
      status: number;
      headers: http.IncomingHttpHeaders;
      lines: () => string[];
      ended: Promise<void>;
    }>((resolve, reject) => {
      const req = http.get(`${server.url}/api/v1/namespaces/default/configmaps?${query}`, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => {
          text += s;
        });
        const ended = new Promise<void>((r) => res.once('end', () => r()));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          lines: () => text.split('\n').filter((l) => l !== ''),
          ended,
        });
      });
      req.on('error', reject);
    });
  }

  it('streams chunked JSON lines from a resourceVersion: replayed changes, live ones, bookmarks', async () => {
    const created = server.apply(configMap('a', 'default', { v: '1' }));
    server.apply(configMap('a', 'default', { v: '2' }));
    const w = await openWatch(
      `watch=true&allowWatchBookmarks=true&resourceVersion=${created.metadata.resourceVersion}`,
    );
    expect(w.status).toBe(200);
    expect(w.headers['transfer-encoding']).toBe('chunked');
    server.remove('ConfigMap', 'default', 'a');
    server.bookmark();
    await until(() => w.lines().length >= 3 || undefined, 'three events');
    const events = w
      .lines()
      .map(
        (l) =>
          JSON.parse(l) as { type: string; object: { metadata: Record<string, unknown>; data?: unknown } },
      );
    expect(events.map((e) => [e.type, e.object.metadata['resourceVersion']])).toEqual([
      ['MODIFIED', String(Number(created.metadata.resourceVersion) + 1)],
      ['DELETED', String(Number(created.metadata.resourceVersion) + 2)],
      ['BOOKMARK', server.store.resourceVersion],
    ]);
    expect(events[0]?.object.data).toEqual({ v: '2' });
    server.dropWatches();
    await w.ended;
  });

  it('a watch from before a compaction: an ERROR event with a 410 Status, then the end; or an HTTP 410', async () => {
    const rv = server.apply(configMap('a', 'default', {})).metadata.resourceVersion;
    server.expireHistory();
    const w = await openWatch(`watch=true&resourceVersion=${rv}`);
    expect(w.status).toBe(200);
    await w.ended;
    expect(w.lines().map((l) => JSON.parse(l))).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }),
      },
    ]);
    server.expireHistory({ as: 'status' });
    const gone = await openWatch(`watch=true&resourceVersion=${rv}`);
    expect(gone.status).toBe(410);
  });

  it('fails the next watch as asked, then serves again', async () => {
    server.failNextWatch(403);
    expect((await openWatch('watch=true')).status).toBe(403);
    const ok = await openWatch('watch=true');
    expect(ok.status).toBe(200);
    server.dropWatches();
    await ok.ended;
  });
});

describe('client-node ListWatch against the fake API server', () => {
  function listWatch(): ListWatch<V1ConfigMap> {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const path = '/api/v1/namespaces/default/configmaps';
    // The list function is a plain GET here; the source under test builds its own with the typed API.
    const list = async () => {
      const res = await fetch(`${server.url}${path}`);
      return (await res.json()) as { items: V1ConfigMap[]; metadata: { resourceVersion: string } };
    };
    return new ListWatch<V1ConfigMap>(path, new Watch(kc), list, false, undefined, undefined, {
      delayFn: async () => {},
    });
  }

  async function names(lw: ListWatch<V1ConfigMap>): Promise<string[]> {
    return lw
      .list()
      .map((c) => c.metadata?.name ?? '')
      .sort();
  }

  for (const as of ['event', 'status'] as const) {
    it(`relists after 410 Gone (${as}) and reports objects deleted meanwhile`, async () => {
      server.apply(configMap('keep', 'default', {}));
      server.apply(configMap('lost', 'default', {}));
      const lw = listWatch();
      const deleted: string[] = [];
      lw.on('delete', (o) => deleted.push(o.metadata?.name ?? ''));
      await lw.start();
      await until(() => server.openWatches('configmaps') > 0 || undefined, 'the watch');
      // While the client is away: a delete and an add it cannot replay, then a compaction.
      server.dropWatches();
      server.remove('ConfigMap', 'default', 'lost');
      server.apply(configMap('new', 'default', {}));
      server.expireHistory({ as });
      await until(() => deleted.includes('lost') || undefined, 'the relist to delete "lost"');
      expect(await names(lw)).toEqual(['keep', 'new']);
      const lists = server.requests.filter((q) => q.url === '/api/v1/namespaces/default/configmaps');
      expect(lists).toHaveLength(2);
      await lw.stop();
    });
  }
});
