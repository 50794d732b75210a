// Strict HTTP/1.1 message-head parsing (RFC 9110/9112). A proxy that parses loosely is a request
// smuggling hole: everything two parsers could read differently is rejected here, before a byte is
// forwarded (CL+TE together, duplicate or non-numeric Content-Length, obs-fold, bare CR/LF, NUL, bad
// tokens). Heads are parsed from a latin1 string: one-byte strings make indexOf/slice cheap in V8.

export interface HeadError {
  error: true;
  status: number;
  /** Envoy-style reason, shown in the local reply body and the logs. */
  reason: string;
}

/** Envoy's default `max_headers_count`. */
export const MAX_HEADERS = 100;

export interface Headers {
  /** Original-case names, lower-case names and values, index-aligned. */
  names: string[];
  lower: string[];
  values: string[];
}

export interface RequestHead extends Headers {
  /** Lower-case header names the Connection header lists (hop-by-hop), if any. */
  connectionHeaders: string[] | undefined;
  method: string;
  /** The request-target as received (origin-form, or rebuilt from absolute-form). */
  target: string;
  /** Path without the query string. */
  path: string;
  /** Query string including the leading `?`, or ''. */
  query: string;
  versionMinor: 0 | 1;
  /** Host header (or the authority of an absolute-form target). */
  authority: string;
  /** -1 when there is no Content-Length. */
  contentLength: number;
  chunked: boolean;
  keepAlive: boolean;
  expectContinue: boolean;
  /** The Upgrade header's value when the client asks for a protocol upgrade (Connection: upgrade). */
  upgrade: string | undefined;
}

export interface ResponseHead extends Headers {
  connectionHeaders: string[] | undefined;
  status: number;
  reason: string;
  versionMinor: 0 | 1;
  contentLength: number;
  chunked: boolean;
  /** Upstream said Connection: close (or is HTTP/1.0 without keep-alive). */
  close: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: VCHAR, obs-text, SP and HTAB only. Any other control character (NUL, bare CR, LF, DEL…)
// is a reason to refuse: downstream parsers disagree on them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const BAD_TARGET = /[\x00-\x20\x7f]/;
const DIGITS = /^[0-9]{1,15}$/;
// RFC 3986 authority characters (reg-name, IP literal, port): what a Host header may hold.
const AUTHORITY = /^[A-Za-z0-9\-._~%!$&'()*+,;=:[\]]*$/;

/** Index just past the blank line that ends a head, or -1 if the head is not complete yet. */
export function findHeadEnd(buf: Buffer, from = 0): number {
  const i = buf.indexOf('\r\n\r\n', from, 'latin1');
  return i < 0 ? -1 : i + 4;
}

/**
 * True if some line in `buf` ends with a bare LF (no CR before it). A head written with bare-LF line
 * endings never contains CRLFCRLF, so the caller must refuse it rather than wait for its end.
 */
export function hasBareLf(buf: Buffer, from = 0): boolean {
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (i === 0 || buf[i - 1] !== 0x0d) return true;
  }
  return false;
}

function fail(status: number, reason: string): HeadError {
  return { error: true, status, reason };
}

/** Parses header lines (each ending in CRLF, the last being the empty line) starting at `pos`. */
function parseFields(s: string, pos: number, h: Headers): HeadError | undefined {
  const end = s.length - 2; // position of the final CRLF
  while (pos < end) {
    if (h.names.length >= MAX_HEADERS) return fail(431, 'too many headers');
    const eol = s.indexOf('\r\n', pos);
    const first = s.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) return fail(400, 'obs-fold header continuation');
    const colon = s.indexOf(':', pos);
    if (colon < 0 || colon > eol) return fail(400, 'header line without colon');
    const name = s.slice(pos, colon);
    if (!TOKEN.test(name)) return fail(400, 'invalid header name');
    let vs = colon + 1;
    let ve = eol;
    while (vs < ve && (s.charCodeAt(vs) === 0x20 || s.charCodeAt(vs) === 0x09)) vs++;
    while (ve > vs && (s.charCodeAt(ve - 1) === 0x20 || s.charCodeAt(ve - 1) === 0x09)) ve--;
    const value = s.slice(vs, ve);
    if (BAD_VALUE.test(value)) return fail(400, 'invalid header value');
    h.names.push(name);
    h.lower.push(name.toLowerCase());
    h.values.push(value);
    pos = eol + 2;
  }
  return undefined;
}

interface Framing {
  /** Extra header names listed in Connection (RFC 9110 §7.6.1): hop-by-hop, never forwarded. */
  connectionHeaders: string[] | undefined;
  contentLength: number;
  chunked: boolean;
  connectionClose: boolean;
  connectionKeepAlive: boolean;
  connectionUpgrade: boolean;
}

/** Content-Length / Transfer-Encoding / Connection, validated together (RFC 9112 §6.1–6.3). */
function framing(h: Headers): Framing | HeadError {
  let contentLength = -1;
  let te: string | undefined;
  let connectionClose = false;
  let connectionKeepAlive = false;
  let connectionUpgrade = false;
  let connectionHeaders: string[] | undefined;
  const { lower, values } = h;
  for (let i = 0; i < lower.length; i++) {
    const n = lower[i]!;
    if (n === 'content-length') {
      // A repeated Content-Length (even an identical one, or a list) is refused: RFC 9112 lets a
      // recipient merge identical values, but two parsers doing it differently is how smuggling starts.
      if (contentLength !== -1) return fail(400, 'duplicate content-length');
      const v = values[i]!;
      if (!DIGITS.test(v)) return fail(400, 'invalid content-length');
      contentLength = Number(v);
    } else if (n === 'transfer-encoding') {
      if (te !== undefined) return fail(400, 'duplicate transfer-encoding');
      te = values[i]!.toLowerCase();
    } else if (n === 'connection') {
      for (const tok of values[i]!.toLowerCase().split(',')) {
        const t = tok.trim();
        if (t === 'close') connectionClose = true;
        else if (t === 'keep-alive') connectionKeepAlive = true;
        else if (t === 'upgrade') connectionUpgrade = true;
        else if (t !== '') {
          if (!connectionHeaders) connectionHeaders = [];
          connectionHeaders.push(t);
        }
      }
    }
  }
  let chunked = false;
  if (te !== undefined) {
    if (contentLength !== -1) return fail(400, 'both content-length and transfer-encoding');
    // Only `chunked` alone is accepted: Envoy answers 501 for other codings; a list such as
    // "gzip, chunked" would make us responsible for decoding.
    if (te !== 'chunked') return fail(501, 'unsupported transfer-encoding');
    chunked = true;
  }
  return {
    connectionHeaders,
    contentLength,
    chunked,
    connectionClose,
    connectionKeepAlive,
    connectionUpgrade,
  };
}

function newHeaders(): Headers {
  return { names: [], lower: [], values: [] };
}

/** `s` is the whole head including the final CRLFCRLF, decoded as latin1. */
export function parseRequestHead(s: string): RequestHead | HeadError {
  const eol = s.indexOf('\r\n');
  const line = s.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) return fail(400, 'malformed request line');
  const method = line.slice(0, sp1);
  let target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!TOKEN.test(method)) return fail(400, 'invalid method');
  if (target.length === 0 || BAD_TARGET.test(target)) return fail(400, 'invalid request target');
  let versionMinor: 0 | 1;
  if (version === 'HTTP/1.1') versionMinor = 1;
  else if (version === 'HTTP/1.0') versionMinor = 0;
  else return fail(version.startsWith('HTTP/') ? 505 : 400, 'unsupported HTTP version');

  const h = newHeaders();
  const err = parseFields(s, eol + 2, h);
  if (err) return err;
  const f = framing(h);
  if ('error' in f) return f;
  if (f.chunked && versionMinor === 0) return fail(400, 'transfer-encoding in HTTP/1.0');

  let authority: string | undefined;
  let expectContinue = false;
  let upgrade: string | undefined;
  for (let i = 0; i < h.lower.length; i++) {
    const n = h.lower[i]!;
    if (n === 'host') {
      if (authority !== undefined) return fail(400, 'duplicate host');
      authority = h.values[i]!;
    } else if (n === 'expect') {
      if (h.values[i]!.toLowerCase() === '100-continue') expectContinue = true;
    } else if (n === 'upgrade') {
      upgrade = h.values[i]!;
    }
  }
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    // absolute-form (a client talking to us as a forward proxy): take the authority from the URL, as
    // RFC 9112 §3.2.2 requires, and route on the origin-form path.
    const m = /^https?:\/\/([^/?#]+)([^#]*)$/i.exec(target);
    if (m) {
      authority = m[1]!;
      target = m[2] || '/';
    } else if (!(target === '*' && method === 'OPTIONS')) {
      return fail(400, 'invalid request target');
    }
  }
  if (authority === undefined) {
    if (versionMinor === 1) return fail(400, 'missing host header');
    authority = '';
  } else if (!AUTHORITY.test(authority)) {
    return fail(400, 'invalid host header');
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  const keepAlive = versionMinor === 1 ? !f.connectionClose : f.connectionKeepAlive && !f.connectionClose;
  return {
    ...h,
    method,
    target,
    path,
    query,
    versionMinor,
    authority: authority.toLowerCase(),
    connectionHeaders: f.connectionHeaders,
    contentLength: f.contentLength,
    chunked: f.chunked,
    keepAlive,
    expectContinue,
    // Envoy ignores `Upgrade: h2c` (it serves the request as HTTP/1.1; curl --http2 sends it on every
    // plain-http request) rather than refusing it as an unconfigured upgrade.
    upgrade: f.connectionUpgrade && upgrade?.toLowerCase() !== 'h2c' ? upgrade : undefined,
  };
}

export function parseResponseHead(s: string): ResponseHead | HeadError {
  const eol = s.indexOf('\r\n');
  const line = s.slice(0, eol);
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  if (line.length < 12 || line.charCodeAt(8) !== 0x20 || (line.length > 12 && line.charCodeAt(12) !== 0x20)) {
    return fail(502, 'malformed status line');
  }
  const version = line.slice(0, 8);
  let versionMinor: 0 | 1;
  if (version === 'HTTP/1.1') versionMinor = 1;
  else if (version === 'HTTP/1.0') versionMinor = 0;
  else return fail(502, 'unsupported upstream HTTP version');
  const code = line.slice(9, 12);
  if (!/^[1-5][0-9][0-9]$/.test(code)) return fail(502, 'invalid status code');
  const reason = line.slice(13);
  if (BAD_VALUE.test(reason)) return fail(502, 'invalid reason phrase');
  const h = newHeaders();
  const err = parseFields(s, eol + 2, h);
  if (err) return fail(502, `upstream ${err.reason}`);
  const f = framing(h);
  if ('error' in f) return fail(502, `upstream ${f.reason}`);
  const close = versionMinor === 1 ? f.connectionClose : !f.connectionKeepAlive || f.connectionClose;
  return {
    ...h,
    status: Number(code),
    reason,
    versionMinor,
    connectionHeaders: f.connectionHeaders,
    contentLength: f.contentLength,
    chunked: f.chunked,
    close,
  };
}

export function isHeadError(x: object): x is HeadError {
  return 'error' in x;
}

/** Value of the first header with this lower-case name. */
export function getHeader(h: Headers, lowerName: string): string | undefined {
  const i = h.lower.indexOf(lowerName);
  return i < 0 ? undefined : h.values[i];
}
