// The proxy's HTTP/1.1 codec against raw bytes, part two: what reaches the client of a response:
// responses without a body, what the upstream sends checked as strictly as requests are,
// Expect: 100-continue, and the headers the proxy adds. Part one is http-conformance-framing.test.ts,
// part three (connections and upgrades) http-conformance-connections.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Described,
  describeRequest,
  header,
  setUpConformanceRig,
  sleep,
} from '../support/conformance-rig.ts';
import type { RawUpstream } from '../support/processes.ts';
import { type RawClient, rawConnect, sendRaw } from '../support/raw-client.ts';

const rig = setUpConformanceRig();
let up: RawUpstream;
let port: typeof rig.port;
beforeAll(() => {
  ({ up, port } = rig);
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
