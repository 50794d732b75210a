// The proxy's HTTP/1.1 codec against raw bytes: what it must refuse (and never forward: every refusal
// here is a request-smuggling hole if the upstream parses differently), and what it must carry through
// unchanged — bodies of every size and framing, no-body responses, 100-continue, keep-alive, close,
// HTTP/1.0, pipelining, upgrades, and the headers Envoy adds.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { staticBootstrap } from '../support/envoy-bootstrap.ts';
import { type HttpRequest, sha256 } from '../support/http-message.ts';
import { PATTERN_BLOCK, patternBlock, patternBytes, patternSha256 } from '../support/pattern-bytes.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  type RawUpstream,
  type RawUpstreamConnection,
  rawUpstream,
  startBackend,
  startProxy,
  stopAll,
} from '../support/processes.ts';
import { closeAllClients, type RawClient, rawConnect, sendRaw } from '../support/raw-client.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let up: RawUpstream;
let slowUp: RawUpstream;
let backend: BackendProcess;
let reuseBackend: BackendProcess;
let proxy: ProxyProcess;
let port: {
  raw: number;
  backend: number;
  backendNoUpgrade: number;
  slow: number;
  reuse: number;
};

type Handler = (req: HttpRequest, conn: RawUpstreamConnection) => void | Promise<void>;

/** The raw upstream's default answer: what it received, as JSON. */
const describeRequest: Handler = (req, conn) =>
  conn.respond(
    200,
    JSON.stringify({
      conn: conn.id,
      method: req.method,
      target: req.target,
      version: req.version,
      framing: req.framing,
      headers: req.headers,
      bodyLength: req.bodyLength,
      bodySha256: req.bodySha256,
    }),
    { 'content-type': 'application/json' },
  );
let handler: Handler = describeRequest;

interface Described {
  conn: number;
  method: string;
  target: string;
  version: string;
  framing: string;
  headers: [string, string][];
  bodyLength: number;
  bodySha256: string;
}

const header = (d: Described, name: string): string[] =>
  d.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

beforeAll(async () => {
  [up, slowUp, backend, reuseBackend] = await Promise.all([
    rawUpstream(),
    rawUpstream(),
    startBackend({ name: 'v1' }),
    startBackend({ name: 'reuse' }),
  ]);
  up.serve((req, conn) => handler(req, conn), { keepBody: false, timeoutMs: 60_000 });
  proxy = await startProxy(
    staticBootstrap({
      listeners: [
        { name: 'raw', routes: [{ prefix: '/', cluster: 'raw' }] },
        { name: 'backend', routes: [{ prefix: '/', cluster: 'backend' }], upgradeTypes: ['websocket'] },
        { name: 'backend_no_upgrade', routes: [{ prefix: '/', cluster: 'backend' }] },
        { name: 'slow', routes: [{ prefix: '/', cluster: 'slow' }] },
        { name: 'reuse', routes: [{ prefix: '/', cluster: 'reuse' }] },
      ],
      clusters: [
        { name: 'raw', endpoints: [{ port: up.port }] },
        { name: 'backend', endpoints: [{ port: backend.port }] },
        { name: 'slow', endpoints: [{ port: slowUp.port }] },
        { name: 'reuse', endpoints: [{ port: reuseBackend.port }] },
      ],
    }),
  );
  const p = proxy.listenerPorts;
  port = {
    raw: p['raw']!,
    backend: p['backend']!,
    backendNoUpgrade: p['backend_no_upgrade']!,
    slow: p['slow']!,
    reuse: p['reuse']!,
  };
});

afterAll(async () => {
  closeAllClients();
  await stopAll();
  await Promise.all([up?.close(), slowUp?.close()]);
});

beforeEach(() => {
  handler = describeRequest;
});

function chunked(body: Buffer, pieceSize: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceSize) {
    const piece = body.subarray(i, i + pieceSize);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

describe('requests refused before anything is forwarded', () => {
  const H = 'Host: conformance.test\r\n';
  const cases: { name: string; raw: string; status: number }[] = [
    {
      name: 'Content-Length and Transfer-Encoding together',
      raw: `POST / HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`,
      status: 400,
    },
    {
      name: 'duplicate Content-Length',
      raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`,
      status: 400,
    },
    {
      name: 'Content-Length with non-digits',
      raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5a\r\n\r\nhello`,
      status: 400,
    },
    {
      name: 'negative Content-Length',
      raw: `POST / HTTP/1.1\r\n${H}Content-Length: -5\r\n\r\nhello`,
      status: 400,
    },
    {
      name: 'Content-Length list',
      raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`,
      status: 400,
    },
    {
      name: 'Transfer-Encoding other than chunked',
      raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nxxxx`,
      status: 501,
    },
    {
      name: 'Transfer-Encoding list ending in chunked',
      raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
      status: 501,
    },
    {
      name: 'invalid chunk size',
      raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      name: 'chunk size overflow',
      raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      name: 'bare LF inside the chunked trailers',
      raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\nGET /smuggled HTTP/1.1\r\n${H}\r\n`,
      status: 400,
    },
    { name: 'obs-fold header', raw: `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\n\r\n`, status: 400 },
    { name: 'NUL in a header value', raw: `GET / HTTP/1.1\r\n${H}X-Nul: a\0b\r\n\r\n`, status: 400 },
    { name: 'bare CR in a header value', raw: `GET / HTTP/1.1\r\n${H}X-Cr: a\rb\r\n\r\n`, status: 400 },
    { name: 'bare LF line endings', raw: 'GET / HTTP/1.1\nHost: conformance.test\n\n', status: 400 },
    {
      name: 'bare LF ending one header line',
      raw: `GET / HTTP/1.1\r\n${H}X-A: 1\nX-B: 2\r\n\r\n`,
      status: 400,
    },
    { name: 'space before the colon', raw: `GET / HTTP/1.1\r\nHost : conformance.test\r\n\r\n`, status: 400 },
    {
      name: 'header block over 60 KiB',
      raw: `GET / HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(61 * KiB)}\r\n\r\n`,
      status: 431,
    },
    {
      name: 'header block over 60 KiB in many fields',
      raw: `GET / HTTP/1.1\r\n${H}${`X-Many: ${'m'.repeat(1000)}\r\n`.repeat(62)}\r\n`,
      status: 431,
    },
    { name: 'HTTP/1.1 without Host', raw: 'GET / HTTP/1.1\r\nX-No-Host: 1\r\n\r\n', status: 400 },
    { name: 'two Host headers', raw: `GET / HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`, status: 400 },
    { name: 'invalid method token', raw: `G(T / HTTP/1.1\r\n${H}\r\n`, status: 400 },
    { name: 'control character in the target', raw: `GET /a\x01b HTTP/1.1\r\n${H}\r\n`, status: 400 },
    { name: 'a space in the Host header', raw: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', status: 400 },
    { name: 'a slash in the Host header', raw: 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', status: 400 },
    {
      name: 'more than 100 header fields (Envoy max_headers_count)',
      raw: `GET / HTTP/1.1\r\n${H}${Array.from({ length: 100 }, (_, i) => `X-F${i}: v\r\n`).join('')}\r\n`,
      status: 431,
    },
    // RFC 9110 §15.6.6: 505 is the status for a major version the server does not support.
    { name: 'HTTP/2.0 version', raw: `GET / HTTP/2.0\r\n${H}\r\n`, status: 505 },
  ];

  it.each(cases)('$name → $status, connection closed, nothing upstream', async ({ raw, status }) => {
    const bytesBefore = up.bytesReceived;
    const connsBefore = up.connections.length;
    const { client, response } = await sendRaw(port.raw, raw);
    expect(response.status).toBe(status);
    expect(response.header('connection')).toBe('close');
    // Exactly one answer, then the connection ends: the bytes after a bad message are never read as
    // another request.
    expect(await client.closesWithin(2_000)).toBe(true);
    await sleep(50);
    expect(up.bytesReceived - bytesBefore).toBe(0);
    expect(up.connections.length - connsBefore).toBe(0);
  });

  it('accepts a 59 KiB header block (the limit is 60 KiB)', async () => {
    const { response, client } = await sendRaw(
      port.raw,
      `GET /big-but-fine HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(59 * KiB)}\r\n\r\n`,
    );
    expect(response.status).toBe(200);
    const d = JSON.parse(response.body.toString()) as Described;
    expect(header(d, 'x-big')[0]).toHaveLength(59 * KiB);
    client.close();
  });

  it('an invalid chunk after the head was forwarded: the bad bytes never reach the upstream', async () => {
    const c = await rawConnect(port.slow);
    await c.write(`POST /late HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`);
    const conn = await slowUp.nextConnection();
    const head = await conn.reader.readUntil('\r\n\r\n');
    expect(head.toString('latin1')).toMatch(/^POST \/late HTTP\/1\.1\r\n/);
    expect((await conn.reader.readExactly(10)).toString('latin1')).toBe('5\r\nhello\r\n');
    await c.write('zz\r\nsmuggled\r\n0\r\n\r\n');
    const res = await c.readResponse();
    expect(res.status).toBe(400);
    expect(await c.closesWithin(2_000)).toBe(true);
    // The upstream connection is abandoned (its request can never complete) and saw no invalid byte.
    await conn.closed;
    expect(conn.reader.buffered).toBe(0);
  });

  it('the proxy still serves after all of that', async () => {
    const { response, client } = await sendRaw(port.raw, `GET /still-alive HTTP/1.1\r\n${H}\r\n`);
    expect(response.status).toBe(200);
    client.close();
  });
});

describe('bodies pass through intact', () => {
  const sizes = [0, 1, 64 * KiB, 10 * MiB];

  describe.each(sizes)('request body of %i bytes', (size) => {
    const body = patternBytes(size);

    it('with Content-Length: same bytes, same framing at the upstream', async () => {
      const c = await rawConnect(port.raw);
      await c.write(
        Buffer.concat([
          Buffer.from(`POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\n\r\n`),
          body,
        ]),
      );
      const res = await c.readResponse({ timeoutMs: 20_000 });
      const d = JSON.parse(res.body.toString()) as Described;
      expect(d.bodyLength).toBe(size);
      expect(d.bodySha256).toBe(sha256(body));
      expect(header(d, 'content-length')).toEqual([String(size)]);
      expect(header(d, 'transfer-encoding')).toEqual([]);
      c.close();
    });

    it('chunked: same bytes, still chunked at the upstream', async () => {
      const c = await rawConnect(port.raw);
      const encoded = chunked(body, 16 * KiB + 7);
      await c.write(
        Buffer.concat([
          Buffer.from('POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n'),
          encoded,
        ]),
      );
      const res = await c.readResponse({ timeoutMs: 20_000 });
      const d = JSON.parse(res.body.toString()) as Described;
      expect(d.framing).toBe('chunked');
      expect(d.bodyLength).toBe(size);
      expect(d.bodySha256).toBe(sha256(body));
      expect(header(d, 'content-length')).toEqual([]);
      c.close();
    });

    it('response with Content-Length comes back intact', async () => {
      const c = await rawConnect(port.backend);
      await c.write(`GET /bytes/${size} HTTP/1.1\r\nHost: a\r\n\r\n`);
      const res = await c.readResponse({ keepBody: false, timeoutMs: 20_000 });
      expect(res.status).toBe(200);
      expect(res.framing).toBe('length');
      expect(res.header('content-length')).toBe(String(size));
      expect(res.bodySha256).toBe(patternSha256(size));
      c.close();
    });

    it('chunked response comes back intact and chunked', async () => {
      const c = await rawConnect(port.backend);
      await c.write(`GET /bytes/${size}?chunked=1 HTTP/1.1\r\nHost: a\r\n\r\n`);
      const res = await c.readResponse({ keepBody: false, timeoutMs: 20_000 });
      expect(res.status).toBe(200);
      expect(res.framing).toBe('chunked');
      expect(res.bodyLength).toBe(size);
      expect(res.bodySha256).toBe(patternSha256(size));
      c.close();
    });
  });

  it('a body arriving byte by byte after the head is forwarded whole', async () => {
    const c = await rawConnect(port.raw);
    await c.write('POST /trickle HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
    const body = chunked(Buffer.from('trickled body'), 4);
    for (const byte of body) await c.write(Buffer.from([byte]));
    const d = JSON.parse((await c.readResponse()).body.toString()) as Described;
    expect(d.bodySha256).toBe(sha256('trickled body'));
    c.close();
  });
});

describe('backpressure', () => {
  const SIZE = 200 * MiB;
  const PAUSE_MS = 1_500;
  // A proxy that buffered instead of pushing back would hold most of the 200 MiB during the pause.
  const LIMIT = 64 * MiB;

  it('a slow client: the proxy stops reading the upstream instead of buffering 200 MiB', {
    timeout: 30_000,
  }, async () => {
    const before = await backend.stats();
    const rssBefore = proxy.rssBytes();
    const c = await rawConnect(port.backend);
    await c.write(`GET /bytes/${SIZE} HTTP/1.1\r\nHost: a\r\n\r\n`);
    // Read the head, then stop reading for a while.
    await c.reader.readUntil('\r\n\r\n');
    c.socket.pause();
    let maxRss = rssBefore;
    const t0 = Date.now();
    while (Date.now() - t0 < PAUSE_MS) {
      await sleep(100);
      maxRss = Math.max(maxRss, proxy.rssBytes());
    }
    const during = await backend.stats();
    const writtenDuringPause = during.bodyBytesWritten - before.bodyBytesWritten;
    expect(writtenDuringPause).toBeLessThan(LIMIT);
    c.socket.resume();
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, proxy.rssBytes());
    }, 100);
    try {
      const h = createHash('sha256');
      await c.reader.stream(SIZE, (p) => h.update(p), 20_000);
      expect(h.digest('hex')).toBe(patternSha256(SIZE));
    } finally {
      clearInterval(sampler);
    }
    expect(maxRss - rssBefore).toBeLessThan(LIMIT);
    c.close();
  });

  it('a slow upstream: the proxy stops reading the client instead of buffering 200 MiB', {
    timeout: 30_000,
  }, async () => {
    const rssBefore = proxy.rssBytes();
    const c = await rawConnect(port.slow);
    let flushed = 0;
    let writing = true;
    const writer = (async () => {
      await c.write(`PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${SIZE}\r\n\r\n`);
      // Blocks are made as they are written: holding 200 MiB here would blur the measurement.
      for (let k = 0; k * PATTERN_BLOCK < SIZE; k++) {
        if (!writing) return;
        const p = patternBlock(k).subarray(0, SIZE - k * PATTERN_BLOCK);
        const ok = c.socket.write(p, () => {
          flushed += p.length;
        });
        if (!ok) await new Promise((r) => c.socket.once('drain', r));
      }
    })();
    const conn = await slowUp.nextConnection();
    await conn.reader.readUntil('\r\n\r\n');
    conn.socket.pause();
    let maxRss = rssBefore;
    const t0 = Date.now();
    while (Date.now() - t0 < PAUSE_MS) {
      await sleep(100);
      maxRss = Math.max(maxRss, proxy.rssBytes());
    }
    expect(flushed).toBeLessThan(LIMIT);
    conn.socket.resume();
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, proxy.rssBytes());
    }, 100);
    try {
      const h = createHash('sha256');
      await conn.reader.stream(SIZE, (p) => h.update(p), 20_000);
      expect(h.digest('hex')).toBe(patternSha256(SIZE));
      await writer;
    } finally {
      writing = false;
      clearInterval(sampler);
    }
    expect(maxRss - rssBefore).toBeLessThan(LIMIT);
    await conn.respond(200, 'stored');
    expect((await c.readResponse()).body.toString()).toBe('stored');
    c.close();
  });
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
    handler = async (_req, conn) => {
      await conn.write(`HTTP/1.1 204 No Content\r\nX-Conn: ${conn.id}\r\n\r\nGARBAGE`);
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /no-content HTTP/1.1\r\nHost: a\r\n\r\n');
    const first = await c.readResponse();
    expect(first.status).toBe(204);
    handler = describeRequest;
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
    handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    };
    const { response, client } = await sendRaw(port.raw, 'GET /ambiguous HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(response.status).toBe(502);
    const conn = up.connections.at(-1)!;
    await conn.closed;
    client.close();
  });

  it('a 200 with Content-Length: 0 completes at once (nothing to wait for) and the client connection is reused', async () => {
    handler = async (_req, conn) => {
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
    handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\nContent-Length: 2\n\nok');
    };
    const started = Date.now();
    const { response, client } = await sendRaw(port.raw, 'GET /bare-lf HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(response.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(2_000);
    client.close();
  });

  it('headers named in Connection are hop-by-hop: not forwarded either way', async () => {
    handler = async (req, conn) => {
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
    handler = async (req, conn) => {
      await conn.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Conn: ${conn.id}\r\n\r\nokEXTRA`);
      void req;
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /overlong HTTP/1.1\r\nHost: a\r\n\r\n');
    const first = await c.readResponse();
    expect(first.body.toString()).toBe('ok');
    handler = describeRequest;
    await c.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
    const second = await c.readResponse();
    expect(second.startLine).toBe('HTTP/1.1 200 OK');
    expect((JSON.parse(second.body.toString()) as Described).conn).toBeGreaterThan(
      Number(first.header('x-conn')),
    );
    c.close();
  });

  it('an invalid chunk in a response already started ends the client connection instead of completing it', async () => {
    handler = async (_req, conn) => {
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
    handler = async (_req, conn) => {
      await conn.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the ');
      await conn.write('end');
      conn.socket.end();
    };
    const c = await rawConnect(port.raw);
    await c.write('GET /close-delimited HTTP/1.1\r\nHost: a\r\n\r\n');
    const res = await c.readResponse();
    expect(res.framing).toBe('chunked');
    expect(res.body.toString()).toBe('until the end');
    handler = describeRequest;
    await c.write('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await c.readResponse()).status).toBe(200);
    c.close();
  });

  it("the upstream's own 100 Continue is not relayed a second time", async () => {
    handler = async (req, conn) => {
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
    handler = async (req, conn) => {
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
    handler = async (req, conn) => {
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
