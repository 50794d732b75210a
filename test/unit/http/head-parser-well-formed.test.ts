import { describe, expect, it } from 'vitest';
import { findHeadEnd, getHeader, hasBareLf } from '../../../proxy/http/head-parser.ts';
import { head, request, requestError, response } from './head-parser-harness.ts';

// What the parser accepts and how it reads it: where a head ends, bare LF detection, and the fields
// and framing of well-formed request and response heads. Refusals are in head-parser-rejections.

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
});
