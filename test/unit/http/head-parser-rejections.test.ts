import { describe, expect, it } from 'vitest';
import { head, requestError, responseError } from './head-parser-harness.ts';

// Every reason the parser refuses a head: the 4xx/5xx a client gets for a request head, and the 502
// for an upstream's response head. Well-formed heads are in head-parser-well-formed.

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
