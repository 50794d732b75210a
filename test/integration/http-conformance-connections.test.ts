// The proxy's HTTP/1.1 codec against raw bytes, part three: connections: keep-alive and its reuse
// upstream, Connection: close either way, HTTP/1.0 clients, pipelining, and upgrades. Part one is
// http-conformance-framing.test.ts, part two (responses) http-conformance-responses.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Described,
  describeRequest,
  header,
  KiB,
  setUpConformanceRig,
  sleep,
} from '../support/conformance-rig.ts';
import { sha256 } from '../support/http-message.ts';
import { patternBytes, patternSha256 } from '../support/pattern-bytes.ts';
import type { BackendProcess } from '../support/processes.ts';
import { rawConnect, sendRaw } from '../support/raw-client.ts';

const rig = setUpConformanceRig();
let backend: BackendProcess;
let reuseBackend: BackendProcess;
let port: typeof rig.port;
beforeAll(() => {
  ({ backend, reuseBackend, port } = rig);
});

describe('connection management', () => {
  it('keep-alive: several requests on one client socket use one upstream connection', async () => {
    const before = await reuseBackend.stats();
    const c = await rawConnect(port.reuse);
    for (let i = 0; i < 5; i++) {
      await c.write(`GET /n/${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
      const res = await c.readResponse();
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString()).path).toBe(`/n/${i}`);
    }
    const after = await reuseBackend.stats();
    expect(after.requests - before.requests).toBe(5);
    expect(after.connections - before.connections).toBe(1);
    c.close();
  });

  it('keep-alive: the raw upstream sees every request on the same connection', async () => {
    const c = await rawConnect(port.raw);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      await c.write(`GET /same/${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
      ids.push((JSON.parse((await c.readResponse()).body.toString()) as Described).conn);
    }
    expect(new Set(ids).size).toBe(1);
    c.close();
  });

  it('Connection: close from the client: answered, then closed', async () => {
    const { response, client } = await sendRaw(
      port.raw,
      'GET /bye HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(response.status).toBe(200);
    expect(response.header('connection')).toBe('close');
    expect(await client.closesWithin(2_000)).toBe(true);
  });

  it('Connection: close from the upstream: a new upstream connection next time, the client connection stays', async () => {
    rig.handler = async (req, conn) => {
      await conn.respond(200, `${conn.id}`, { connection: 'close' });
      conn.socket.end();
      void req;
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    const first = await c.readResponse();
    expect(first.status).toBe(200);
    // Hop-by-hop: the upstream's close is not the client's.
    expect(first.header('connection')).toBeUndefined();
    await c.write('GET /second HTTP/1.1\r\nHost: a\r\n\r\n');
    const second = await c.readResponse();
    expect(second.status).toBe(200);
    expect(Number(second.body.toString())).toBeGreaterThan(Number(first.body.toString()));
    c.close();
  });

  it('HTTP/1.0 client: a length-framed response and a close', async () => {
    const { response, client } = await sendRaw(port.backend, 'GET /bytes/100 HTTP/1.0\r\n\r\n', {
      keepBody: false,
    });
    expect(response.status).toBe(200);
    expect(response.header('transfer-encoding')).toBeUndefined();
    expect(response.bodySha256).toBe(patternSha256(100));
    expect(await client.closesWithin(2_000)).toBe(true);
  });

  it('HTTP/1.0 client and a chunked upstream response: de-chunked, close-delimited', async () => {
    const { response, client } = await sendRaw(port.backend, 'GET /bytes/70000?chunked=1 HTTP/1.0\r\n\r\n', {
      keepBody: false,
    });
    expect(response.status).toBe(200);
    expect(response.header('transfer-encoding')).toBeUndefined();
    expect(response.framing).toBe('close');
    expect(response.bodySha256).toBe(patternSha256(70000));
    client.close();
  });

  it('HTTP/1.0 client with keep-alive gets a keep-alive, length-framed response', async () => {
    const c = await rawConnect(port.raw);
    await c.write('GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const res = await c.readResponse();
    expect(res.status).toBe(200);
    expect(res.header('connection')?.toLowerCase()).toBe('keep-alive');
    await c.write('GET /ka2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect((await c.readResponse()).status).toBe(200);
    c.close();
  });

  it('pipelined requests in one write are answered in order', async () => {
    const c = await rawConnect(port.raw);
    await c.write(
      'GET /p1 HTTP/1.1\r\nHost: a\r\n\r\n' +
        'POST /p2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc' +
        'POST /p3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n' +
        'GET /p4 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    const seen: Described[] = [];
    for (let i = 0; i < 4; i++) seen.push(JSON.parse((await c.readResponse()).body.toString()) as Described);
    expect(seen.map((d) => d.target)).toEqual(['/p1', '/p2', '/p3', '/p4']);
    expect(seen[1]!.bodySha256).toBe(sha256('abc'));
    expect(seen[2]!.bodySha256).toBe(sha256('de'));
    c.close();
  });

  it('empty lines before a request-line are ignored (RFC 9112 §2.2), e.g. a CRLF sent after a body', async () => {
    const c = await rawConnect(port.raw);
    await c.write('\r\n\r\nGET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((JSON.parse((await c.readResponse()).body.toString()) as Described).target).toBe('/first');
    await c.write('POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab\r\n');
    await c.write('\r');
    await c.write('\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    const body = JSON.parse((await c.readResponse()).body.toString()) as Described;
    expect(body.bodySha256).toBe(sha256('ab'));
    expect((JSON.parse((await c.readResponse()).body.toString()) as Described).target).toBe('/after');
    c.close();
  });

  it('a pipelined request split across writes is still answered', async () => {
    rig.handler = async (req, conn) => {
      if (req.target === '/slow-first') await sleep(100);
      await describeRequest(req, conn);
    };
    const c = await rawConnect(port.raw);
    // The second request's head is incomplete while the first is in flight.
    await c.write('GET /slow-first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HT');
    await sleep(20);
    await c.write('TP/1.1\r\nHost: a\r\n\r\n');
    const first = JSON.parse((await c.readResponse()).body.toString()) as Described;
    const second = JSON.parse((await c.readResponse({ timeoutMs: 3_000 })).body.toString()) as Described;
    expect([first.target, second.target]).toEqual(['/slow-first', '/second']);
    c.close();
  });
});

describe('upgrades', () => {
  const handshake =
    'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

  it('passes a WebSocket upgrade through when upgrade_configs has websocket', async () => {
    const c = await rawConnect(port.backend);
    await c.write(handshake);
    const res = await c.readResponse();
    expect(res.status).toBe(101);
    expect(res.header('upgrade')).toBe('websocket');
    expect(res.header('sec-websocket-accept')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    // A masked text frame "hello"; the backend echoes raw bytes.
    const frame = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]);
    await c.write(frame);
    expect((await c.reader.readExactly(frame.length)).equals(frame)).toBe(true);
    const big = patternBytes(256 * KiB);
    await c.write(big);
    expect((await c.reader.readExactly(big.length)).equals(big)).toBe(true);
    c.close();
  });

  it('serves a request carrying Upgrade: h2c as plain HTTP/1.1 (curl --http2 sends one)', async () => {
    const { response, client } = await sendRaw(
      port.raw,
      'GET /h2c HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    );
    expect(response.status).toBe(200);
    const d = JSON.parse(response.body.toString()) as Described;
    expect(d.target).toBe('/h2c');
    expect(header(d, 'upgrade')).toEqual([]);
    expect(header(d, 'http2-settings')).toEqual([]);
    client.close();
  });

  it('refuses the upgrade with 403 when the listener has no upgrade_configs', async () => {
    const before = await backend.stats();
    const c = await rawConnect(port.backendNoUpgrade);
    await c.write(handshake);
    const res = await c.readResponse();
    expect(res.status).toBe(403);
    const after = await backend.stats();
    expect(after.upgrades - before.upgrades).toBe(0);
    c.close();
  });
});
