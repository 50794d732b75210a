// The test helpers themselves: the backend process answers what it promises, the raw upstream records
// and answers exact bytes, startProxy starts (or explains why not) and processes are stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { sha256 } from '../../support/http-message.ts';
import { patternSha256 } from '../../support/pattern-bytes.ts';
import {
  type BackendProcess,
  freePort,
  rawUpstream,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { closeAllClients, rawConnect, sendRaw } from '../../support/raw-client.ts';

afterAll(async () => {
  closeAllClients();
  await stopAll();
});

describe('startBackend', () => {
  let backend: BackendProcess;
  beforeAll(async () => {
    backend = await startBackend({ name: 'v7' });
  });

  it('names itself in a header and the body', async () => {
    const { response } = await sendRaw(backend.port, 'GET /hello HTTP/1.1\r\nHost: b\r\n\r\n');
    expect(response.status).toBe(200);
    expect(response.header('x-backend')).toBe('v7');
    expect(JSON.parse(response.body.toString())).toMatchObject({
      backend: 'v7',
      path: '/hello',
      method: 'GET',
    });
  });

  it('echoes request headers and body', async () => {
    const { response } = await sendRaw(
      backend.port,
      'POST /echo?q=1 HTTP/1.1\r\nHost: b\r\nX-Thing: yes\r\nContent-Length: 5\r\n\r\nhello',
    );
    const echo = JSON.parse(response.body.toString());
    expect(echo).toMatchObject({ method: 'POST', url: '/echo?q=1', body: 'hello', bodyLength: 5 });
    expect(echo.headers['x-thing']).toBe('yes');
    expect(echo.bodySha256).toBe(sha256('hello'));
  });

  it('streams N pattern bytes with a length or chunked', async () => {
    const n = 300_001;
    const c = await rawConnect(backend.port);
    await c.write(`GET /bytes/${n} HTTP/1.1\r\nHost: b\r\n\r\n`);
    const len = await c.readResponse({ keepBody: false });
    expect(len.framing).toBe('length');
    expect(len.bodySha256).toBe(patternSha256(n));
    await c.write(`GET /bytes/${n}?chunked=1 HTTP/1.1\r\nHost: b\r\n\r\n`);
    const chunked = await c.readResponse({ keepBody: false });
    expect(chunked.framing).toBe('chunked');
    expect(chunked.bodyLength).toBe(n);
    expect(chunked.bodySha256).toBe(patternSha256(n));
    c.close();
  });

  it('answers HEAD with the length and no body, and 204/304 without a body', async () => {
    const c = await rawConnect(backend.port);
    await c.write('HEAD /bytes/1000 HTTP/1.1\r\nHost: b\r\n\r\n');
    const head = await c.readResponse({ head: true });
    expect(head.header('content-length')).toBe('1000');
    await c.write('GET /status/204 HTTP/1.1\r\nHost: b\r\n\r\nGET /status/304 HTTP/1.1\r\nHost: b\r\n\r\n');
    expect((await c.readResponse()).status).toBe(204);
    expect((await c.readResponse()).status).toBe(304);
    await c.write('GET /status/418 HTTP/1.1\r\nHost: b\r\n\r\n');
    expect((await c.readResponse()).status).toBe(418);
    // Nothing else was sent: a stray body byte would be waiting here.
    expect(c.reader.buffered).toBe(0);
    c.close();
  });

  it('sends 100 Continue before reading the body', async () => {
    const c = await rawConnect(backend.port);
    await c.write('PUT /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
    const interim = await c.readResponse();
    expect(interim.status).toBe(100);
    await c.write('abc');
    expect(JSON.parse((await c.readResponse()).body.toString()).body).toBe('abc');
    c.close();
  });

  it('matches endpoints at the end of the path, for routes by prefix without a rewrite', async () => {
    const c = await rawConnect(backend.port);
    await c.write(
      'GET /some/prefix/status/207 HTTP/1.1\r\nHost: b\r\n\r\nGET /p/bytes/3 HTTP/1.1\r\nHost: b\r\n\r\n',
    );
    expect((await c.readResponse()).status).toBe(207);
    expect((await c.readResponse()).bodyLength).toBe(3);
    c.close();
  });

  it('delays, and closes when asked to', async () => {
    const t0 = Date.now();
    const { response, client } = await sendRaw(backend.port, 'GET /delay/150 HTTP/1.1\r\nHost: b\r\n\r\n');
    expect(response.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await client.write('GET /close HTTP/1.1\r\nHost: b\r\n\r\n');
    const closing = await client.readResponse();
    expect(closing.header('connection')).toBe('close');
    expect(await client.closesWithin(2_000)).toBe(true);
  });

  it('upgrades /ws and echoes raw bytes', async () => {
    const c = await rawConnect(backend.port);
    await c.write(
      'GET /ws HTTP/1.1\r\nHost: b\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const res = await c.readResponse();
    expect(res.status).toBe(101);
    // The RFC 6455 §1.3 example key and its accept value.
    expect(res.header('sec-websocket-accept')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    await c.write('\x81\x05hello');
    expect((await c.reader.readExactly(7)).toString('latin1')).toBe('\x81\x05hello');
    c.close();
  });

  it('counts connections and requests over IPC', async () => {
    const before = await backend.stats();
    const c = await rawConnect(backend.port);
    await c.write('GET / HTTP/1.1\r\nHost: b\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n');
    await c.readResponse();
    await c.readResponse();
    const after = await backend.stats();
    expect(after.connections - before.connections).toBe(1);
    expect(after.requests - before.requests).toBe(2);
    c.close();
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const other = await startBackend({ name: 'short-lived' });
    expect(await other.stop()).toBe(0);
  });
});

describe('rawUpstream', () => {
  it('records exactly what it received and answers scripted bytes', async () => {
    const up = await rawUpstream();
    const c = await rawConnect(up.port);
    await c.write('POST /x HTTP/1.1\r\nHost: u\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    const conn = await up.nextConnection();
    const req = await conn.readRequest();
    expect(req).toMatchObject({ method: 'POST', target: '/x', framing: 'chunked' });
    expect(req.body.toString()).toBe('abc');
    await conn.respond(201, 'made', { 'x-up': '1' });
    const res = await c.readResponse();
    expect(res.status).toBe(201);
    expect(res.header('x-up')).toBe('1');
    expect(res.body.toString()).toBe('made');
    expect(up.connections).toHaveLength(1);
    expect(up.bytesReceived).toBe(Buffer.byteLength(req.rawHead) + 13);
    c.close();
    await up.close();
  });

  it('serves every request on every connection with a handler', async () => {
    const up = await rawUpstream();
    up.serve((req, conn) => conn.respond(200, `${conn.id}:${req.target}`));
    const a = await rawConnect(up.port);
    await a.write('GET /1 HTTP/1.1\r\nHost: u\r\n\r\nGET /2 HTTP/1.1\r\nHost: u\r\n\r\n');
    expect((await a.readResponse()).body.toString()).toBe('1:/1');
    expect((await a.readResponse()).body.toString()).toBe('1:/2');
    const b = await rawConnect(up.port);
    await b.write('GET /3 HTTP/1.1\r\nHost: u\r\n\r\n');
    expect((await b.readResponse()).body.toString()).toBe('2:/3');
    a.close();
    b.close();
    await up.close();
  });
});

describe('freePort', () => {
  it('hands out distinct bindable ports', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(p).toBeGreaterThan(0);
  });
});

describe('startProxy', () => {
  it('fills port 0 with free ports, waits for /ready, proxies, and exits 0 on SIGTERM', async () => {
    const backend = await startBackend({ name: 'behind-proxy' });
    const proxy = await startProxy(
      staticBootstrap({
        listeners: [{ name: 'a' }, { name: 'b' }],
        clusters: [{ name: 'c', endpoints: [{ port: backend.port }] }],
      }),
    );
    const ports = Object.values(proxy.listenerPorts);
    expect(Object.keys(proxy.listenerPorts)).toEqual(['a', 'b']);
    expect(new Set(ports).size).toBe(2);
    expect(proxy.listenerPort).toBe(proxy.listenerPorts['a']);
    expect((await proxy.admin('/ready')).status).toBe(200);
    for (const port of ports) {
      const { response, client } = await sendRaw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(response.header('x-backend')).toBe('behind-proxy');
      client.close();
    }
    expect(proxy.rssBytes()).toBeGreaterThan(1024 * 1024);
    expect(await proxy.stop()).toBe(0);
    expect(proxy.proc.exitCode).toBe(0);
    await backend.stop();
  });

  it("rejects with the proxy's own error when the bootstrap is invalid", async () => {
    const bad = staticBootstrap({ clusters: [{ name: 'c', endpoints: [{ port: 1 }] }] });
    (bad.static_resources.clusters[0] as Record<string, unknown>)['type'] = 'NOT_A_TYPE';
    await expect(startProxy(bad)).rejects.toThrow(/exited \(1\) before it was ready:[\s\S]*NOT_A_TYPE/);
  });

  it('refuses a YAML text whose ports are 0 (they could not be discovered)', async () => {
    const text =
      'static_resources:\n  listeners:\n  - name: l\n    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n';
    await expect(startProxy(text)).rejects.toThrow(/listener 0 has port 0/);
  });
});
