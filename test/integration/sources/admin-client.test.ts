// adminGet against real sockets on 127.0.0.1: what reaches the server (path, query, headers), and how
// each kind of failure is reported.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminRequestError, adminGet } from '../../../server/sources/envoy/admin-client.ts';
import { STATS_FILTER, statsRequestPath } from '../../../server/sources/envoy/admin-paths.ts';
import { freePort } from '../../support/processes.ts';

interface Seen {
  url: string;
  authorization: string | undefined;
}

const seen: Seen[] = [];
let server: http.Server;
let base: string;
const hanging = new Set<net.Socket>();
let hangServer: net.Server;
let hangPort: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (req.url?.startsWith('/missing')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('invalid path. admin commands are:\n...');
    } else if (req.url === '/big-declared') {
      res.writeHead(200, { 'content-length': '2048' }).end('x'.repeat(2048));
    } else if (req.url === '/big-chunked') {
      res.writeHead(200);
      for (let i = 0; i < 8; i++) res.write('y'.repeat(512));
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.url}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  // Accepts connections and never answers.
  hangServer = net.createServer((s) => hanging.add(s));
  await new Promise<void>((r) => hangServer.listen(0, '127.0.0.1', r));
  hangPort = (hangServer.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of hanging) s.destroy();
  await new Promise((r) => hangServer.close(r));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const opts = { timeoutMs: 2000, maxBytes: 1024, target: 'ns/pod-a' };

async function failure(p: Promise<unknown>): Promise<AdminRequestError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AdminRequestError);
  return e as AdminRequestError;
}

describe('adminGet', () => {
  it('appends the path and query to a pods/proxy base URL unchanged, with the bearer token', async () => {
    const admin = {
      baseUrl: `${base}/api/v1/namespaces/shop/pods/web-7d9c:15000/proxy/`,
      headers: { authorization: 'Bearer t0ken' },
    };
    const target = {
      id: 'shop/web-7d9c',
      namespace: 'shop',
      workload: 'web',
      pod: 'web-7d9c',
      kind: 'envoy' as const,
      admin,
      statsPath: '/stats/prometheus',
    };
    const res = await adminGet(admin, statsRequestPath(target), opts);
    const expectedPath = `/api/v1/namespaces/shop/pods/web-7d9c:15000/proxy/stats/prometheus?usedonly&filter=${encodeURIComponent(STATS_FILTER)}`;
    expect(seen.at(-1)).toEqual({ url: expectedPath, authorization: 'Bearer t0ken' });
    expect(res.status).toBe(200);
    expect(res.body).toBe(`ok ${expectedPath}`);
    expect(res.bytes).toBe(Buffer.byteLength(res.body));
    // The server decodes the filter back to the regex Envoy compiles.
    expect(new URL(expectedPath, base).searchParams.get('filter')).toBe(STATS_FILTER);
  });

  it('uses an absolute stats URL as is (a stats port other than the admin port)', async () => {
    const res = await adminGet({ baseUrl: 'http://127.0.0.1:1' }, `${base}/stats/prometheus`, opts);
    expect(res.body).toBe('ok /stats/prometheus');
  });

  it('reports a non-2xx answer with the target, URL, status and the first line of the body', async () => {
    const e = await failure(adminGet({ baseUrl: base }, '/missing?x=1', opts));
    expect(e.failure).toBe('status');
    expect(e.status).toBe(404);
    expect(e.message).toBe(
      `ns/pod-a: GET ${base}/missing?x=1 failed: HTTP 404: invalid path. admin commands are:`,
    );
  });

  it('refuses bodies over the limit, declared or streamed', async () => {
    const declared = await failure(adminGet({ baseUrl: base }, '/big-declared', opts));
    expect(declared.failure).toBe('too-large');
    expect(declared.message).toMatch(/response of 2048 bytes exceeds the 1024-byte limit/);
    const chunked = await failure(adminGet({ baseUrl: base }, '/big-chunked', opts));
    expect(chunked.failure).toBe('too-large');
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    const e = await failure(adminGet({ baseUrl: `http://127.0.0.1:${port}` }, '/runtime', opts));
    expect(e.failure).toBe('connect');
    expect(e.message).toBe(
      `ns/pod-a: GET http://127.0.0.1:${port}/runtime failed: connection refused (ECONNREFUSED)`,
    );
  });

  it('gives up on a server that never answers at the deadline', async () => {
    const t0 = performance.now();
    const e = await failure(
      adminGet({ baseUrl: `http://127.0.0.1:${hangPort}` }, '/stats', { ...opts, timeoutMs: 300 }),
    );
    const elapsed = performance.now() - t0;
    expect(e.failure).toBe('timeout');
    expect(e.message).toMatch(/timed out after 300 ms$/);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
  });

  it('stops when the caller aborts', async () => {
    const ac = new AbortController();
    const p = adminGet({ baseUrl: `http://127.0.0.1:${hangPort}` }, '/stats', { ...opts, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await failure(p)).failure).toBe('aborted');
  });

  it('does not print user info of the base URL', async () => {
    const port = await freePort();
    const e = await failure(adminGet({ baseUrl: `http://user:secret@127.0.0.1:${port}` }, '/runtime', opts));
    expect(e.message).not.toContain('secret');
  });
});

const openssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!openssl)('adminGet over HTTPS', () => {
  let dir: string;
  let cert: string;
  let tlsServer: https.Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshscope-tls-'));
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tlsServer = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      res.end(`tls ${req.headers.authorization}`);
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise((r) => tlsServer.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the kubeconfig CA given in tls.ca', async () => {
    const res = await adminGet(
      { baseUrl: url, headers: { authorization: 'Bearer x' }, tls: { ca: cert } },
      '/runtime',
      opts,
    );
    expect(res.body).toBe('tls Bearer x');
  });

  it('rejects an unknown CA with a TLS error', async () => {
    const e = await failure(adminGet({ baseUrl: url }, '/runtime', opts));
    expect(e.failure).toBe('tls');
    expect(e.message).toMatch(/^ns\/pod-a: GET https:\/\/127\.0\.0\.1:\d+\/runtime failed: TLS: /);
  });
});
