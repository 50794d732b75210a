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
import type { BackendProcess, RawUpstream } from '../support/processes.ts';
import { type RawClient, rawConnect, sendRaw } from '../support/raw-client.ts';

const rig = setUpConformanceRig();
let up: RawUpstream;
let backend: BackendProcess;
let reuseBackend: BackendProcess;
let port: typeof rig.port;
beforeAll(() => {
  ({ up, backend, reuseBackend, port } = rig);
});

describe('responses without a body', () => {
  it('HEAD: Content-Length kept, no body sent (the next response on the connection parses)', async () => {
    const c = await rawConnect(port.backend);
    await c.write('HEAD /bytes/1000 HTTP/1.1\r\nHost: a\r\n\r\n');
    const head = await c.readResponse({ head: true });
    expect(head.status).toBe(200);
    expect(head.header('content-length')).toBe('1000');
    await c.write('GET /status/200 HTTP/1.1\r\nHost: a\r\n\r\n');
    const next = await c.readResponse();
    expect(next.startLine).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(next.body.toString())).toMatchObject({ status: 200 });
    c.close();
  });

  it('HEAD of a chunked resource: no chunked body either', async () => {
    const c = await rawConnect(port.backend);
    await c.write(
      'HEAD /bytes/1000?chunked=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /status/201 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect((await c.readResponse({ head: true })).status).toBe(200);
    expect((await c.readResponse()).status).toBe(201);
    c.close();
  });

  it.each([204, 304])('%i: no body, connection reusable', async (status) => {
    const c = await rawConnect(port.backend);
    await c.write(`GET /status/${status} HTTP/1.1\r\nHost: a\r\n\r\n`);
    const res = await c.readResponse();
    expect(res.status).toBe(status);
    expect(res.header('transfer-encoding')).toBeUndefined();
    await c.write('GET /status/202 HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await c.readResponse()).status).toBe(202);
    c.close();
  });

  it('a 204 from a raw upstream that (wrongly) sends bytes after it does not leak them to the client', async () => {
    rig.handler = async (_req, conn) => {
      await conn.write(`HTTP/1.1 204 No Content\r\nX-Conn: ${conn.id}\r\n\r\nGARBAGE`);
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /no-content HTTP/1.1\r\nHost: a\r\n\r\n');
    const first = await c.readResponse();
    expect(first.status).toBe(204);
    rig.handler = describeRequest;
    await c.write('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    const next = await c.readResponse();
    expect(next.status).toBe(200);
    const d = JSON.parse(next.body.toString()) as Described;
    expect(d.target).toBe('/after');
    // That confused upstream connection is not reused.
    expect(d.conn).toBeGreaterThan(Number(first.header('x-conn')));
    c.close();
  });
});

describe('what the upstream sends is checked too', () => {
  it('a response with Content-Length and Transfer-Encoding is a 502, and that upstream connection is dropped', async () => {
    rig.handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    };
    const { response, client } = await sendRaw(port.raw, 'GET /ambiguous HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(response.status).toBe(502);
    const conn = up.connections.at(-1)!;
    await conn.closed;
    client.close();
  });

  it('a 200 with Content-Length: 0 completes at once (nothing to wait for) and the client connection is reused', async () => {
    rig.handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Empty: yes\r\n\r\n');
    };
    const started = Date.now();
    const { response, client } = await sendRaw(port.raw, 'GET /empty HTTP/1.1\r\nHost: a\r\n\r\n');
    expect([response.status, response.header('x-empty'), response.body.length]).toEqual([200, 'yes', 0]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await client.closesWithin(300)).toBe(false);
    client.close();
  });

  it('a response head with bare-LF line endings is a 502 at once, not at the route timeout', async () => {
    rig.handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\nContent-Length: 2\n\nok');
    };
    const started = Date.now();
    const { response, client } = await sendRaw(port.raw, 'GET /bare-lf HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(response.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(2_000);
    client.close();
  });

  it('headers named in Connection are hop-by-hop: not forwarded either way', async () => {
    rig.handler = async (req, conn) => {
      const forwarded = req.header('x-hop') === undefined ? 'no' : 'yes';
      await conn.write(
        `HTTP/1.1 200 OK\r\nConnection: x-secret\r\nX-Secret: s\r\nX-Seen: ${forwarded}\r\nContent-Length: 0\r\n\r\n`,
      );
    };
    const { response, client } = await sendRaw(
      port.raw,
      'GET /hop HTTP/1.1\r\nHost: a\r\nConnection: X-Hop\r\nX-Hop: 1\r\n\r\n',
    );
    expect(response.header('x-seen')).toBe('no');
    expect(response.header('x-secret')).toBeUndefined();
    client.close();
  });

  it('bytes past Content-Length never reach the client; the next request uses a new upstream connection', async () => {
    rig.handler = async (req, conn) => {
      await conn.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Conn: ${conn.id}\r\n\r\nokEXTRA`);
      void req;
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /overlong HTTP/1.1\r\nHost: a\r\n\r\n');
    const first = await c.readResponse();
    expect(first.body.toString()).toBe('ok');
    rig.handler = describeRequest;
    await c.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
    const second = await c.readResponse();
    expect(second.startLine).toBe('HTTP/1.1 200 OK');
    expect((JSON.parse(second.body.toString()) as Described).conn).toBeGreaterThan(
      Number(first.header('x-conn')),
    );
    c.close();
  });

  it('an invalid chunk in a response already started ends the client connection instead of completing it', async () => {
    rig.handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      await sleep(20);
      await conn.write('zz\r\nsmuggled\r\n0\r\n\r\n');
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /bad-chunks HTTP/1.1\r\nHost: a\r\n\r\n');
    await expect(c.readResponse()).rejects.toThrow(/connection closed/);
    c.close();
  });

  it('a close-delimited response to a keep-alive client is re-chunked and the client connection stays open', async () => {
    rig.handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the ');
      await conn.write('end');
      conn.socket.end();
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /close-delimited HTTP/1.1\r\nHost: a\r\n\r\n');
    const res = await c.readResponse();
    expect(res.framing).toBe('chunked');
    expect(res.body.toString()).toBe('until the end');
    rig.handler = describeRequest;
    await c.write('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await c.readResponse()).status).toBe(200);
    c.close();
  });

  it("the upstream's own 100 Continue is not relayed a second time", async () => {
    rig.handler = async (req, conn) => {
      await conn.write('HTTP/1.1 100 Continue\r\n\r\n');
      await conn.respond(200, `got ${req.bodyLength}`);
    };
    const c = await rawConnect(port.raw);
    await c.write('POST /expect HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
    expect((await c.readResponse()).status).toBe(100);
    await c.write('abc');
    const res = await c.readResponse();
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('got 3');
    c.close();
  });
});

describe('Expect: 100-continue', () => {
  it('gets 100 Continue first, then the final response once the body is sent', async () => {
    const c = await rawConnect(port.backend);
    await c.write('POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const interim = await c.readResponse();
    expect(interim.status).toBe(100);
    await c.write('hello');
    const res = await c.readResponse();
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.body.toString());
    expect(echo.body).toBe('hello');
    // Envoy's default (proxy_100_continue: false): the proxy answers 100 itself and strips Expect.
    expect(echo.headers.expect).toBeUndefined();
    c.close();
  });
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

describe('headers the proxy adds', () => {
  it('x-envoy-upstream-service-time on the response', async () => {
    const { response, client } = await sendRaw(port.backend, 'GET /delay/50 HTTP/1.1\r\nHost: a\r\n\r\n');
    const t = response.header('x-envoy-upstream-service-time');
    expect(t).toMatch(/^\d+$/);
    expect(Number(t)).toBeGreaterThanOrEqual(45);
    client.close();
  });

  it('x-request-id generated when absent, x-forwarded-proto: http', async () => {
    const { response, client } = await sendRaw(port.raw, 'GET /rid HTTP/1.1\r\nHost: a\r\n\r\n');
    const d = JSON.parse(response.body.toString()) as Described;
    const ids = header(d, 'x-request-id');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(header(d, 'x-forwarded-proto')).toEqual(['http']);
    client.close();
  });

  it('x-request-id preserved when the client sent one; a client x-forwarded-proto is replaced', async () => {
    const { response, client } = await sendRaw(
      port.raw,
      'GET /rid HTTP/1.1\r\nHost: a\r\nX-Request-Id: my-own-id-123\r\nX-Forwarded-Proto: https\r\n\r\n',
    );
    const d = JSON.parse(response.body.toString()) as Described;
    expect(header(d, 'x-request-id')).toEqual(['my-own-id-123']);
    expect(header(d, 'x-forwarded-proto')).toEqual(['http']);
    client.close();
  });

  it('two requests get two different generated ids', async () => {
    const c: RawClient = await rawConnect(port.raw);
    await c.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n');
    const a = JSON.parse((await c.readResponse()).body.toString()) as Described;
    const b = JSON.parse((await c.readResponse()).body.toString()) as Described;
    expect(header(a, 'x-request-id')[0]).not.toBe(header(b, 'x-request-id')[0]);
    c.close();
  });
});
