// The proxy's HTTP/1.1 codec against raw bytes, part one: what it must refuse (and never forward: every
// refusal here is a request-smuggling hole if the upstream parses differently), and bodies of every size
// and framing carried through unchanged, with backpressure both ways. Part two (responses) is
// http-conformance-responses.test.ts, part three (connections) http-conformance-connections.test.ts.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  chunked,
  type Described,
  header,
  KiB,
  MiB,
  setUpConformanceRig,
  sleep,
} from '../support/conformance-rig.ts';
import { sha256 } from '../support/http-message.ts';
import { PATTERN_BLOCK, patternBlock, patternBytes, patternSha256 } from '../support/pattern-bytes.ts';
import type { BackendProcess, ProxyProcess, RawUpstream } from '../support/processes.ts';
import { rawConnect, sendRaw } from '../support/raw-client.ts';

const rig = setUpConformanceRig();
let up: RawUpstream;
let slowUp: RawUpstream;
let backend: BackendProcess;
let proxy: ProxyProcess;
let port: typeof rig.port;
beforeAll(() => {
  ({ up, slowUp, backend, proxy, port } = rig);
});

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
