import { describe, expect, it } from 'vitest';
import {
  findHeadEnd,
  getHeader,
  type HeadError,
  hasBareLf,
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from '../../../proxy/http/head-parser.ts';

/** A head as it arrives on the wire: lines joined by CRLF, ended by the empty line. */
function head(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function request(...lines: string[]): RequestHead {
  const r = parseRequestHead(head(...lines));
  if (isHeadError(r)) throw new Error(`unexpected rejection: ${r.status} ${r.reason}`);
  return r;
}

function requestError(s: string): HeadError {
  const r = parseRequestHead(s);
  if (!isHeadError(r)) throw new Error(`accepted a head that must be refused: ${JSON.stringify(s)}`);
  return r;
}

function response(...lines: string[]): ResponseHead {
  const r = parseResponseHead(head(...lines));
  if (isHeadError(r)) throw new Error(`unexpected rejection: ${r.status} ${r.reason}`);
  return r;
}

function responseError(s: string): HeadError {
  const r = parseResponseHead(s);
  if (!isHeadError(r)) throw new Error(`accepted a head that must be refused: ${JSON.stringify(s)}`);
  return r;
}

describe('findHeadEnd', () => {
  it('returns the index just past the blank line', () => {
    const buf = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY');
    expect(findHeadEnd(buf)).toBe(buf.length - 4);
  });

  it('returns -1 while the head is incomplete, at every prefix', () => {
    const full = Buffer.from(head('GET / HTTP/1.1', 'Host: a'));
    for (let n = 0; n < full.length; n++) expect(findHeadEnd(full.subarray(0, n))).toBe(-1);
    expect(findHeadEnd(full)).toBe(full.length);
  });

  it('does not take bare LF LF for the end of a head', () => {
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\nHost: a\n\n'))).toBe(-1);
  });

  it('starts searching at `from`', () => {
    const two = Buffer.from(`${head('GET /a HTTP/1.1', 'Host: a')}${head('GET /b HTTP/1.1', 'Host: a')}`);
    const first = findHeadEnd(two);
    expect(findHeadEnd(two, first)).toBe(two.length);
  });
});

describe('hasBareLf', () => {
  it('is false for CRLF lines, and for a head that stops between CR and LF', () => {
    expect(hasBareLf(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(false);
    expect(hasBareLf(Buffer.from('GET / HTTP/1.1\r'))).toBe(false);
    expect(hasBareLf(Buffer.from(''))).toBe(false);
  });

  it('finds a bare LF anywhere, including the first byte', () => {
    expect(hasBareLf(Buffer.from('GET / HTTP/1.1\nHost: a\n\n'))).toBe(true);
    expect(hasBareLf(Buffer.from('GET / HTTP/1.1\r\nHost: a\n'))).toBe(true);
    expect(hasBareLf(Buffer.from('\n'))).toBe(true);
    expect(hasBareLf(Buffer.from('GET / HTTP/1.1\r\n\n'))).toBe(true);
  });

  it('looks at the byte before `from` to judge an LF at `from`', () => {
    const buf = Buffer.from('abc\r\ndef\n');
    expect(hasBareLf(buf, 4)).toBe(true);
    expect(hasBareLf(Buffer.from('abc\r\ndef'), 4)).toBe(false);
  });
});

describe('parseRequestHead: valid heads', () => {
  it('parses the request line, fields and framing of a simple GET', () => {
    const r = request('GET /path/x?a=1&b=2 HTTP/1.1', 'Host: Example.COM:8080', 'X-Custom: Hello');
    expect(r.method).toBe('GET');
    expect(r.target).toBe('/path/x?a=1&b=2');
    expect(r.path).toBe('/path/x');
    expect(r.query).toBe('?a=1&b=2');
    expect(r.versionMinor).toBe(1);
    // Authority is lower-cased for virtual-host matching (domains are case-insensitive).
    expect(r.authority).toBe('example.com:8080');
    expect(r.names).toEqual(['Host', 'X-Custom']);
    expect(r.lower).toEqual(['host', 'x-custom']);
    expect(r.values).toEqual(['Example.COM:8080', 'Hello']);
    expect(r.contentLength).toBe(-1);
    expect(r.chunked).toBe(false);
    expect(r.keepAlive).toBe(true);
    expect(r.expectContinue).toBe(false);
    expect(r.upgrade).toBeUndefined();
    expect(getHeader(r, 'x-custom')).toBe('Hello');
    expect(getHeader(r, 'x-absent')).toBeUndefined();
  });

  it('trims optional whitespace (SP and HTAB) around values and keeps inner whitespace', () => {
    const r = request('GET / HTTP/1.1', 'Host: a', 'X-A: \t  two  words \t ', 'X-Empty:', 'X-Tight:v');
    expect(getHeader(r, 'x-a')).toBe('two  words');
    expect(getHeader(r, 'x-empty')).toBe('');
    expect(getHeader(r, 'x-tight')).toBe('v');
  });

  it('accepts obs-text (bytes 0x80-0xFF) in values, as RFC 9110 field-value allows', () => {
    const r = request('GET / HTTP/1.1', 'Host: a', 'X-Latin: caf\xe9 \xff');
    expect(getHeader(r, 'x-latin')).toBe('caf\xe9 \xff');
  });

  it('accepts every tchar in method and header names', () => {
    const tchars = "!#$%&'*+-.^_`|~09azAZ";
    const r = request(`${tchars} / HTTP/1.1`, 'Host: a', `${tchars}: v`);
    expect(r.method).toBe(tchars);
    expect(r.names[1]).toBe(tchars);
  });

  it('reads Content-Length, including leading zeros and 15 digits', () => {
    expect(request('POST / HTTP/1.1', 'Host: a', 'Content-Length: 0').contentLength).toBe(0);
    expect(request('POST / HTTP/1.1', 'Host: a', 'Content-Length: 0042').contentLength).toBe(42);
    expect(request('POST / HTTP/1.1', 'Host: a', 'content-length:   17  ').contentLength).toBe(17);
    expect(request('POST / HTTP/1.1', 'Host: a', 'Content-Length: 999999999999999').contentLength).toBe(
      999999999999999,
    );
  });

  it('reads Transfer-Encoding: chunked case-insensitively', () => {
    expect(request('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked').chunked).toBe(true);
    expect(request('POST / HTTP/1.1', 'Host: a', 'transfer-encoding: CHUNKED').chunked).toBe(true);
  });

  it('HTTP/1.1 is keep-alive unless Connection has a close token', () => {
    expect(request('GET / HTTP/1.1', 'Host: a', 'Connection: keep-alive').keepAlive).toBe(true);
    expect(request('GET / HTTP/1.1', 'Host: a', 'Connection: close').keepAlive).toBe(false);
    expect(request('GET / HTTP/1.1', 'Host: a', 'Connection: x-foo, Close').keepAlive).toBe(false);
    expect(request('GET / HTTP/1.1', 'Host: a', 'Connection: x-foo', 'Connection: close').keepAlive).toBe(
      false,
    );
  });

  it('HTTP/1.0 closes unless Connection: keep-alive, and needs no Host', () => {
    const r = request('GET /old HTTP/1.0');
    expect(r.versionMinor).toBe(0);
    expect(r.keepAlive).toBe(false);
    expect(r.authority).toBe('');
    expect(request('GET / HTTP/1.0', 'Connection: Keep-Alive').keepAlive).toBe(true);
    expect(request('GET / HTTP/1.0', 'Connection: keep-alive, close').keepAlive).toBe(false);
  });

  it('notes Expect: 100-continue (case-insensitive) and ignores other expectations', () => {
    expect(
      request('PUT / HTTP/1.1', 'Host: a', 'Content-Length: 1', 'Expect: 100-Continue').expectContinue,
    ).toBe(true);
    expect(request('PUT / HTTP/1.1', 'Host: a', 'Expect: something-else').expectContinue).toBe(false);
  });

  it('reports an upgrade only when Connection names upgrade', () => {
    const up = request(
      'GET /ws HTTP/1.1',
      'Host: a',
      'Connection: keep-alive, Upgrade',
      'Upgrade: websocket',
    );
    expect(up.upgrade).toBe('websocket');
    expect(request('GET /ws HTTP/1.1', 'Host: a', 'Upgrade: websocket').upgrade).toBeUndefined();
  });

  it('ignores an h2c upgrade, as Envoy does (the request is served as HTTP/1.1)', () => {
    const r = request('GET / HTTP/1.1', 'Host: a', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: H2C');
    expect(r.upgrade).toBeUndefined();
    expect(r.keepAlive).toBe(true);
  });

  it('takes the authority from an absolute-form target and routes on its path (RFC 9112 §3.2.2)', () => {
    const r = request('GET http://Other.example:81/p?q=1 HTTP/1.1', 'Host: ignored.example');
    expect(r.authority).toBe('other.example:81');
    expect(r.target).toBe('/p?q=1');
    expect(r.path).toBe('/p');
    expect(r.query).toBe('?q=1');
    expect(request('GET https://x.example HTTP/1.1', 'Host: x.example').target).toBe('/');
    // An absolute-form target also supplies the authority a 1.1 request otherwise needs a Host for.
    expect(request('GET http://x.example/ HTTP/1.1').authority).toBe('x.example');
  });

  it('accepts the asterisk-form for OPTIONS only', () => {
    expect(request('OPTIONS * HTTP/1.1', 'Host: a').target).toBe('*');
    expect(requestError(head('GET * HTTP/1.1', 'Host: a')).status).toBe(400);
  });

  it('keeps repeated non-framing fields in order', () => {
    const r = request('GET / HTTP/1.1', 'Host: a', 'Cookie: a=1', 'cookie: b=2');
    expect(r.lower.filter((n) => n === 'cookie')).toHaveLength(2);
    expect(r.values.slice(1)).toEqual(['a=1', 'b=2']);
  });
});

describe('parseRequestHead: every rejection reason', () => {
  const cases: [name: string, raw: string, status: number, reason: string][] = [
    ['no spaces in request line', head('GET', 'Host: a'), 400, 'malformed request line'],
    ['one space in request line', head('GET /', 'Host: a'), 400, 'malformed request line'],
    ['request line starting with a space', head(' GET / HTTP/1.1', 'Host: a'), 400, 'malformed request line'],
    ['empty request line', head('', 'Host: a'), 400, 'malformed request line'],
    ['method with a separator', head('G(T / HTTP/1.1', 'Host: a'), 400, 'invalid method'],
    ['method with a NUL', head('G\0T / HTTP/1.1', 'Host: a'), 400, 'invalid method'],
    ['method with a slash', head('GET/ / HTTP/1.1', 'Host: a'), 400, 'invalid method'],
    ['empty target (two spaces)', head('GET  HTTP/1.1', 'Host: a'), 400, 'invalid request target'],
    ['space inside the target', head('GET /a b HTTP/1.1', 'Host: a'), 400, 'invalid request target'],
    ['tab inside the target', head('GET /a\tb HTTP/1.1', 'Host: a'), 400, 'invalid request target'],
    ['DEL inside the target', head('GET /a\x7fb HTTP/1.1', 'Host: a'), 400, 'invalid request target'],
    ['NUL inside the target', head('GET /a\0 HTTP/1.1', 'Host: a'), 400, 'invalid request target'],
    [
      'target that is neither origin nor absolute form',
      head('GET foo HTTP/1.1', 'Host: a'),
      400,
      'invalid request target',
    ],
    [
      'absolute-form with another scheme',
      head('GET ftp://a/ HTTP/1.1', 'Host: a'),
      400,
      'invalid request target',
    ],
    ['HTTP/2.0', head('GET / HTTP/2.0', 'Host: a'), 505, 'unsupported HTTP version'],
    ['HTTP/1.2', head('GET / HTTP/1.2', 'Host: a'), 505, 'unsupported HTTP version'],
    ['HTTP/0.9 style version', head('GET / HTTP/0.9', 'Host: a'), 505, 'unsupported HTTP version'],
    ['lower-case version', head('GET / http/1.1', 'Host: a'), 400, 'unsupported HTTP version'],
    ['garbage version', head('GET / XYZ', 'Host: a'), 400, 'unsupported HTTP version'],
    ['trailing space after version', head('GET / HTTP/1.1 ', 'Host: a'), 400, 'invalid request target'],
    [
      'obs-fold with a space',
      head('GET / HTTP/1.1', 'Host: a', 'X-A: b', ' c'),
      400,
      'obs-fold header continuation',
    ],
    [
      'obs-fold with a tab',
      head('GET / HTTP/1.1', 'Host: a', 'X-A: b', '\tc'),
      400,
      'obs-fold header continuation',
    ],
    [
      'header line without a colon',
      head('GET / HTTP/1.1', 'Host: a', 'NoColon'),
      400,
      'header line without colon',
    ],
    ['space before the colon', head('GET / HTTP/1.1', 'Host : a'), 400, 'invalid header name'],
    ['tab before the colon', head('GET / HTTP/1.1', 'Host\t: a'), 400, 'invalid header name'],
    ['empty header name', head('GET / HTTP/1.1', 'Host: a', ': v'), 400, 'invalid header name'],
    [
      'header name with a separator',
      head('GET / HTTP/1.1', 'Host: a', 'X(y): v'),
      400,
      'invalid header name',
    ],
    ['header name with obs-text', head('GET / HTTP/1.1', 'Host: a', 'X-\xe9: v'), 400, 'invalid header name'],
    ['NUL in a header value', head('GET / HTTP/1.1', 'Host: a', 'X-A: b\0c'), 400, 'invalid header value'],
    [
      'bare CR in a header value',
      head('GET / HTTP/1.1', 'Host: a', 'X-A: b\rc'),
      400,
      'invalid header value',
    ],
    [
      'bare LF in a header value',
      head('GET / HTTP/1.1', 'Host: a', 'X-A: b\nX-B: c'),
      400,
      'invalid header value',
    ],
    ['DEL in a header value', head('GET / HTTP/1.1', 'Host: a', 'X-A: b\x7f'), 400, 'invalid header value'],
    [
      'ESC in a header value',
      head('GET / HTTP/1.1', 'Host: a', 'X-A: \x1b[31m'),
      400,
      'invalid header value',
    ],
    ['bare LF ending the request line', 'GET / HTTP/1.1\nHost: a\r\n\r\n', 400, 'invalid request target'],
    [
      'duplicate Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Content-Length: 6'),
      400,
      'duplicate content-length',
    ],
    [
      'identical duplicate Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'content-length: 5'),
      400,
      'duplicate content-length',
    ],
    [
      'Content-Length list',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5, 5'),
      400,
      'invalid content-length',
    ],
    [
      'negative Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: -1'),
      400,
      'invalid content-length',
    ],
    [
      'signed Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: +5'),
      400,
      'invalid content-length',
    ],
    [
      'hex Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 0x10'),
      400,
      'invalid content-length',
    ],
    [
      'Content-Length with letters',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5a'),
      400,
      'invalid content-length',
    ],
    [
      'empty Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length:'),
      400,
      'invalid content-length',
    ],
    [
      'Content-Length with inner space',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 1 2'),
      400,
      'invalid content-length',
    ],
    [
      'fractional Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 1.0'),
      400,
      'invalid content-length',
    ],
    [
      'Content-Length beyond 15 digits',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 1000000000000000'),
      400,
      'invalid content-length',
    ],
    [
      'Content-Length and Transfer-Encoding',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Transfer-Encoding: chunked'),
      400,
      'both content-length and transfer-encoding',
    ],
    [
      'Transfer-Encoding and Content-Length (other order)',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Content-Length: 5'),
      400,
      'both content-length and transfer-encoding',
    ],
    [
      'duplicate Transfer-Encoding',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'),
      400,
      'duplicate transfer-encoding',
    ],
    [
      'Transfer-Encoding gzip',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip'),
      501,
      'unsupported transfer-encoding',
    ],
    [
      'Transfer-Encoding gzip, chunked',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked'),
      501,
      'unsupported transfer-encoding',
    ],
    [
      'Transfer-Encoding chunked, chunked',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, chunked'),
      501,
      'unsupported transfer-encoding',
    ],
    [
      'Transfer-Encoding identity',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: identity'),
      501,
      'unsupported transfer-encoding',
    ],
    [
      'Transfer-Encoding xchunked',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: xchunked'),
      501,
      'unsupported transfer-encoding',
    ],
    [
      'Transfer-Encoding in HTTP/1.0',
      head('POST / HTTP/1.0', 'Transfer-Encoding: chunked'),
      400,
      'transfer-encoding in HTTP/1.0',
    ],
    ['HTTP/1.1 without Host', head('GET / HTTP/1.1', 'X-A: b'), 400, 'missing host header'],
    ['two Host headers', head('GET / HTTP/1.1', 'Host: a', 'Host: b'), 400, 'duplicate host'],
    ['two identical Host headers', head('GET / HTTP/1.1', 'Host: a', 'host: a'), 400, 'duplicate host'],
  ];

  const rows = cases.map(([name, raw, status, reason]) => ({ name, raw, status, reason }));
  it.each(rows)('$name → $status', ({ raw, status, reason }) => {
    const e = requestError(raw);
    expect(e.status).toBe(status);
    expect(e.reason).toBe(reason);
  });
});

describe('parseResponseHead', () => {
  it('parses status, reason, fields and framing', () => {
    const r = response('HTTP/1.1 200 OK', 'Content-Length: 12', 'X-Backend: v1');
    expect(r.status).toBe(200);
    expect(r.reason).toBe('OK');
    expect(r.versionMinor).toBe(1);
    expect(r.contentLength).toBe(12);
    expect(r.chunked).toBe(false);
    expect(r.close).toBe(false);
    expect(getHeader(r, 'x-backend')).toBe('v1');
  });

  it('accepts an empty or missing reason phrase', () => {
    expect(response('HTTP/1.1 204 ').reason).toBe('');
    expect(response('HTTP/1.1 204').reason).toBe('');
    expect(response('HTTP/1.1 404 Not  Found Here').reason).toBe('Not  Found Here');
  });

  it('knows when the upstream will close', () => {
    expect(response('HTTP/1.1 200 OK', 'Connection: close').close).toBe(true);
    expect(response('HTTP/1.0 200 OK').close).toBe(true);
    expect(response('HTTP/1.0 200 OK', 'Connection: keep-alive').close).toBe(false);
    expect(response('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked').chunked).toBe(true);
    expect(response('HTTP/1.1 200 OK').contentLength).toBe(-1);
  });

  const bad: [name: string, raw: string, reason: string][] = [
    ['short status line', head('HTTP/1.1 20'), 'malformed status line'],
    ['no space after the version', head('HTTP/1.1-200 OK'), 'malformed status line'],
    ['no space after the code', head('HTTP/1.1 200OK'), 'malformed status line'],
    ['HTTP/2.0 upstream', head('HTTP/2.0 200 OK'), 'unsupported upstream HTTP version'],
    ['non-numeric code', head('HTTP/1.1 2x0 OK'), 'invalid status code'],
    ['code below 100', head('HTTP/1.1 099 OK'), 'invalid status code'],
    ['code 600', head('HTTP/1.1 600 OK'), 'invalid status code'],
    ['NUL in the reason', head('HTTP/1.1 200 O\0K'), 'invalid reason phrase'],
    ['obs-fold', head('HTTP/1.1 200 OK', 'X-A: b', ' c'), 'upstream obs-fold header continuation'],
    ['bare CR in a value', head('HTTP/1.1 200 OK', 'X-A: b\rc'), 'upstream invalid header value'],
    ['space before colon', head('HTTP/1.1 200 OK', 'X-A : b'), 'upstream invalid header name'],
    [
      'duplicate Content-Length',
      head('HTTP/1.1 200 OK', 'Content-Length: 1', 'Content-Length: 1'),
      'upstream duplicate content-length',
    ],
    [
      'invalid Content-Length',
      head('HTTP/1.1 200 OK', 'Content-Length: -1'),
      'upstream invalid content-length',
    ],
    [
      'Content-Length and Transfer-Encoding',
      head('HTTP/1.1 200 OK', 'Content-Length: 1', 'Transfer-Encoding: chunked'),
      'upstream both content-length and transfer-encoding',
    ],
    [
      'unsupported Transfer-Encoding',
      head('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip'),
      'upstream unsupported transfer-encoding',
    ],
  ];

  it.each(bad)('refuses %s with 502', (_name, raw, reason) => {
    const e = responseError(raw);
    expect(e.status).toBe(502);
    expect(e.reason).toBe(reason);
  });
});
