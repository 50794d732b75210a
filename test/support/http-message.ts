// Reads one HTTP/1.1 message (request or response) from a ByteReader, with its own small framing logic
// (deliberately independent of proxy/http, so the proxy's parser is checked against something else).
// It expects well-formed input: it is for what the proxy forwards and what it answers.
import { createHash } from 'node:crypto';
import { type ByteReader, DEFAULT_READ_TIMEOUT_MS } from './byte-reader.ts';

export interface HttpMessage {
  /** The head exactly as received, including the final CRLFCRLF. */
  rawHead: string;
  startLine: string;
  /** Field lines in order, names as received. */
  headers: [name: string, value: string][];
  /** First value of a header (case-insensitive name). */
  header(name: string): string | undefined;
  /** Every value of a header, in order. */
  headerAll(name: string): string[];
  /** Decoded body (de-chunked); empty when `keepBody` was false. */
  body: Buffer;
  bodyLength: number;
  bodySha256: string;
  /** How the body was framed on the wire. */
  framing: 'none' | 'length' | 'chunked' | 'close';
  /** Chunked trailers as raw lines, without CRLF. */
  trailers: string[];
}

export interface HttpResponse extends HttpMessage {
  version: string;
  status: number;
  reason: string;
}

export interface HttpRequest extends HttpMessage {
  method: string;
  target: string;
  version: string;
}

export interface ReadOptions {
  timeoutMs?: number;
  /** Keep the body bytes (default true); false only hashes and counts them. */
  keepBody?: boolean;
}

export interface ReadResponseOptions extends ReadOptions {
  /** The request was HEAD: a response has no body whatever its headers say. */
  head?: boolean;
}

function parseHead(raw: string): { startLine: string; headers: [string, string][] } {
  const lines = raw.slice(0, -4).split('\r\n');
  const startLine = lines.shift() ?? '';
  const headers: [string, string][] = [];
  for (const l of lines) {
    const colon = l.indexOf(':');
    headers.push([l.slice(0, colon), l.slice(colon + 1).trim()]);
  }
  return { startLine, headers };
}

function accessors(headers: [string, string][]) {
  const all = (name: string) =>
    headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return { header: (name: string) => all(name)[0], headerAll: all };
}

class BodySink {
  private readonly keep: boolean;
  private readonly parts: Buffer[] = [];
  private readonly hash = createHash('sha256');
  length = 0;
  constructor(keep: boolean) {
    this.keep = keep;
  }
  add = (b: Buffer): void => {
    this.length += b.length;
    this.hash.update(b);
    if (this.keep) this.parts.push(Buffer.from(b));
  };
  result(): { body: Buffer; bodyLength: number; bodySha256: string } {
    return { body: Buffer.concat(this.parts), bodyLength: this.length, bodySha256: this.hash.digest('hex') };
  }
}

async function readBody(
  r: ByteReader,
  framing: HttpMessage['framing'],
  length: number,
  opts: ReadOptions,
): Promise<{ body: Buffer; bodyLength: number; bodySha256: string; trailers: string[] }> {
  const t = opts.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const sink = new BodySink(opts.keepBody ?? true);
  const trailers: string[] = [];
  if (framing === 'length') {
    await r.stream(length, sink.add, t);
  } else if (framing === 'chunked') {
    for (;;) {
      const line = (await r.readUntil('\r\n', t)).toString('latin1');
      const size = Number.parseInt(line, 16);
      if (!Number.isFinite(size)) throw new Error(`bad chunk size line ${JSON.stringify(line)}`);
      if (size === 0) break;
      await r.stream(size, sink.add, t);
      const crlf = (await r.readExactly(2, t)).toString('latin1');
      if (crlf !== '\r\n') throw new Error(`chunk data not followed by CRLF: ${JSON.stringify(crlf)}`);
    }
    for (;;) {
      const line = (await r.readUntil('\r\n', t)).toString('latin1');
      if (line === '\r\n') break;
      trailers.push(line.slice(0, -2));
    }
  } else if (framing === 'close') {
    sink.add(await r.readToEnd(t));
  }
  return { ...sink.result(), trailers };
}

function framingOf(
  headers: [string, string][],
  noBody: boolean,
  closeDelimitedAllowed: boolean,
): { framing: HttpMessage['framing']; length: number } {
  const { header } = accessors(headers);
  if (noBody) return { framing: 'none', length: 0 };
  const te = header('transfer-encoding');
  if (te !== undefined) {
    if (te.toLowerCase() !== 'chunked') throw new Error(`unexpected transfer-encoding ${te}`);
    return { framing: 'chunked', length: -1 };
  }
  const cl = header('content-length');
  if (cl !== undefined) return { framing: 'length', length: Number(cl) };
  return closeDelimitedAllowed ? { framing: 'close', length: -1 } : { framing: 'none', length: 0 };
}

/** Reads one response. Interim (1xx) responses are returned like any other, without a body. */
export async function readResponse(r: ByteReader, opts: ReadResponseOptions = {}): Promise<HttpResponse> {
  const rawHead = (await r.readUntil('\r\n\r\n', opts.timeoutMs)).toString('latin1');
  const { startLine, headers } = parseHead(rawHead);
  const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(startLine);
  if (!m) throw new Error(`bad status line ${JSON.stringify(startLine)}`);
  const status = Number(m[2]);
  const noBody = opts.head === true || (status >= 100 && status < 200) || status === 204 || status === 304;
  const { framing, length } = framingOf(headers, noBody, true);
  const body = await readBody(r, framing, length, opts);
  return {
    rawHead,
    startLine,
    headers,
    ...accessors(headers),
    ...body,
    framing,
    version: m[1]!,
    status,
    reason: m[3]!,
  };
}

/** Reads the final response, skipping (and returning) interim 1xx responses before it. */
export async function readFinalResponse(
  r: ByteReader,
  opts: ReadResponseOptions = {},
): Promise<{ interim: HttpResponse[]; response: HttpResponse }> {
  const interim: HttpResponse[] = [];
  for (;;) {
    const res = await readResponse(r, opts);
    if (res.status >= 200 || res.status === 101) return { interim, response: res };
    interim.push(res);
  }
}

export async function readRequest(r: ByteReader, opts: ReadOptions = {}): Promise<HttpRequest> {
  const rawHead = (await r.readUntil('\r\n\r\n', opts.timeoutMs)).toString('latin1');
  const { startLine, headers } = parseHead(rawHead);
  const parts = startLine.split(' ');
  if (parts.length !== 3) throw new Error(`bad request line ${JSON.stringify(startLine)}`);
  const { framing, length } = framingOf(headers, false, false);
  const body = await readBody(r, framing, length, opts);
  return {
    rawHead,
    startLine,
    headers,
    ...accessors(headers),
    ...body,
    framing,
    method: parts[0]!,
    target: parts[1]!,
    version: parts[2]!,
  };
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}
