import { describe, expect, it } from 'vitest';
import { ChunkedScanner } from '../../../proxy/http/chunked-scanner.ts';

/** What feeding a sequence of pieces to one scanner produced. */
interface Outcome {
  kind: 'more' | 'done' | 'error';
  /** For 'done': offset of the body's end in the concatenation of the pieces. */
  end?: number;
  /** For 'error': the reason, and the offset of the piece-start at which it was reported. */
  reason?: string;
  /** Chunk data handed to onData, concatenated. */
  data: Buffer;
}

function feed(pieces: readonly Buffer[]): Outcome {
  const sc = new ChunkedScanner();
  const data: Buffer[] = [];
  // Pieces are views of buffers the tests keep unchanged, so no copy is needed.
  sc.onData = (b, s, e) => data.push(b.subarray(s, e));
  let offset = 0;
  for (const p of pieces) {
    const r = sc.scan(p);
    if (r.kind === 'error') return { kind: 'error', reason: r.reason, data: Buffer.concat(data) };
    if (r.kind === 'done') {
      expect(sc.done).toBe(true);
      return { kind: 'done', end: offset + r.end, data: Buffer.concat(data) };
    }
    offset += p.length;
  }
  expect(sc.done).toBe(false);
  return { kind: 'more', data: Buffer.concat(data) };
}

function splitAt(buf: Buffer, points: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

function bytewise(buf: Buffer): Buffer[] {
  return Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1));
}

/** Deterministic PRNG (mulberry32) so a failing random split can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplit(buf: Buffer, rand: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const n = 1 + Math.floor(rand() * maxPiece);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

function chunk(data: Buffer | string, ext = ''): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return Buffer.concat([Buffer.from(`${d.length.toString(16)}${ext}\r\n`, 'latin1'), d, Buffer.from('\r\n')]);
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

// A body that exercises everything at once: upper- and lower-case hex, leading zeros, extensions with
// BWS and quoted values, data that itself looks like chunk framing, an extension on the last chunk and
// trailers.
const RICH_PAYLOAD = ['hello', ' world', '0\r\n\r\n', 'x'.repeat(26), 'y'.repeat(31)];
const RICH = b(
  '5\r\nhello\r\n' +
    '6;name=value\r\n world\r\n' +
    '005 ;a; b="q s"\r\n0\r\n\r\n\r\n' +
    '1A\r\n' +
    `${'x'.repeat(26)}\r\n` +
    '1f\t;e\r\n' +
    `${'y'.repeat(31)}\r\n` +
    '0;last=1\r\n' +
    'X-Checksum: abc\r\n' +
    'Server-Timing: total;dur=1\r\n' +
    '\r\n',
);

describe('ChunkedScanner: valid bodies in one piece', () => {
  const valid: [name: string, body: Buffer, payload: string][] = [
    ['empty body', b('0\r\n\r\n'), ''],
    ['one chunk', b('5\r\nhello\r\n0\r\n\r\n'), 'hello'],
    ['one-byte chunk', b('1\r\nZ\r\n0\r\n\r\n'), 'Z'],
    [
      'upper- and lower-case hex',
      b(`A\r\n${'a'.repeat(10)}\r\nb\r\n${'b'.repeat(11)}\r\n0\r\n\r\n`),
      `${'a'.repeat(10)}${'b'.repeat(11)}`,
    ],
    ['leading zeros up to 15 digits', b('000000000000005\r\nhello\r\n000\r\n\r\n'), 'hello'],
    ['extension without value', b('5;x\r\nhello\r\n0\r\n\r\n'), 'hello'],
    ['extension with token and quoted values', b('5;a=1;b="two words"\r\nhello\r\n0\r\n\r\n'), 'hello'],
    ['BWS before an extension', b('5 \t ;a\r\nhello\r\n0\r\n\r\n'), 'hello'],
    ['extension on the last chunk', b('0;end\r\n\r\n'), ''],
    ['one trailer', b('0\r\nX-Trailer: v\r\n\r\n'), ''],
    ['several trailers', b('3\r\nabc\r\n0\r\nA: 1\r\nB: 2\r\nC:\r\n\r\n'), 'abc'],
    ['data containing CR, LF and NUL', b('6\r\n\r\n\0\n\r\0\r\n0\r\n\r\n'), '\r\n\0\n\r\0'],
    ['all of it', RICH, RICH_PAYLOAD.join('')],
  ];

  it.each(valid)('%s', (_name, body, payload) => {
    const out = feed([body]);
    expect(out.kind).toBe('done');
    expect(out.end).toBe(body.length);
    expect(out.data.toString('latin1')).toBe(payload);
  });

  it('reports the end of the body when the next request follows in the same buffer', () => {
    const next = b('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
    const out = feed([Buffer.concat([RICH, next])]);
    expect(out).toMatchObject({ kind: 'done', end: RICH.length });
  });

  it('honours the `from` offset', () => {
    const sc = new ChunkedScanner();
    const buf = Buffer.concat([b('HEAD-BYTES'), b('3\r\nabc\r\n0\r\n\r\n'), b('rest')]);
    expect(sc.scan(buf, 10)).toEqual({ kind: 'done', end: buf.length - 4 });
  });

  it('stays done: further input is not part of the body', () => {
    const sc = new ChunkedScanner();
    expect(sc.scan(b('0\r\n\r\n'))).toEqual({ kind: 'done', end: 5 });
    expect(sc.done).toBe(true);
    expect(sc.scan(b('5\r\nhello'))).toEqual({ kind: 'done', end: 0 });
  });

  it('asks for more at every proper prefix of a body', () => {
    for (let n = 0; n < RICH.length; n++) {
      const out = feed([RICH.subarray(0, n)]);
      expect(out.kind, `prefix of ${n} bytes`).toBe('more');
    }
  });

  it('works without an onData callback', () => {
    const sc = new ChunkedScanner();
    expect(sc.scan(b('3\r\nabc\r\n'))).toEqual({ kind: 'more' });
    expect(sc.scan(b('0\r\n\r\n'))).toEqual({ kind: 'done', end: 5 });
  });
});

describe('ChunkedScanner: split anywhere, same result', () => {
  const expected = RICH_PAYLOAD.join('');

  it('at every single split point', () => {
    for (let i = 0; i <= RICH.length; i++) {
      const out = feed(splitAt(RICH, [i]));
      expect(out.kind, `split at ${i}`).toBe('done');
      expect(out.end, `split at ${i}`).toBe(RICH.length);
      expect(out.data.toString('latin1'), `split at ${i}`).toBe(expected);
    }
  });

  it('at every pair of split points (three pieces)', () => {
    const step = RICH.length > 120 ? 2 : 1;
    for (let i = 0; i <= RICH.length; i += step) {
      for (let j = i; j <= RICH.length; j++) {
        const out = feed(splitAt(RICH, [i, j]));
        if (out.kind !== 'done' || out.end !== RICH.length || out.data.toString('latin1') !== expected) {
          throw new Error(`split at ${i},${j}: ${JSON.stringify(out)}`);
        }
      }
    }
  });

  it('byte by byte', () => {
    const out = feed(bytewise(RICH));
    expect(out).toMatchObject({ kind: 'done', end: RICH.length });
    expect(out.data.toString('latin1')).toBe(expected);
  });

  it('byte by byte with the next request behind it', () => {
    const withNext = Buffer.concat([RICH, b('POST / HTTP/1.1\r\n')]);
    expect(feed(bytewise(withNext))).toMatchObject({ kind: 'done', end: RICH.length });
  });

  it('a 256 KiB body of random chunk sizes, in 40 random splittings', () => {
    const rand = rng(0x5eed);
    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(rand() * 256);
    const parts: Buffer[] = [];
    for (let i = 0; i < payload.length; ) {
      const n = Math.min(payload.length - i, 1 + Math.floor(rand() * 20_000));
      parts.push(chunk(payload.subarray(i, i + n), rand() < 0.2 ? ';k=v' : ''));
      i += n;
    }
    parts.push(b('0\r\nX-T: 1\r\n\r\n'));
    const body = Buffer.concat(parts);
    for (let round = 0; round < 40; round++) {
      const pieces = randomSplit(body, rand, round % 2 === 0 ? 17 : 64 * 1024);
      const out = feed(pieces);
      expect(out.kind, `round ${round}`).toBe('done');
      expect(out.end, `round ${round}`).toBe(body.length);
      expect(out.data.equals(payload), `round ${round}: payload intact`).toBe(true);
    }
  });
});

describe('ChunkedScanner: every rejection reason', () => {
  // `at` is the index of the first byte that makes the body invalid: fed byte by byte, the scanner
  // must report the error on exactly that byte (never later, so no invalid byte is forwarded on).
  const invalid: [name: string, body: string, at: number, reason: string][] = [
    ['non-hex size', 'zz\r\n', 0, 'invalid chunk size'],
    ['size after a valid chunk', '1\r\na\r\nzz\r\n', 6, 'invalid chunk size'],
    ['empty size line', '\r\nhello\r\n', 0, 'invalid chunk size'],
    ['negative size', '-1\r\n', 0, 'invalid chunk size'],
    ['signed size', '+5\r\n', 0, 'invalid chunk size'],
    ['0x prefix', '0x5\r\n', 1, 'invalid chunk size'],
    ['leading space', ' 5\r\n', 0, 'invalid chunk size'],
    ['hex digit then garbage', '5g\r\n', 1, 'invalid chunk size'],
    ['bare LF after size', '5\nhello\r\n', 1, 'invalid chunk size'],
    ['CR without LF after size', '5\rhello\r\n', 2, 'invalid chunk size line'],
    ['16 hex digits (size overflow)', '1000000000000000\r\n', 15, 'chunk size too large'],
    ['16 digits even with leading zeros', '0000000000000005\r\n', 15, 'chunk size too large'],
    ['huge size', `${'f'.repeat(40)}\r\n`, 15, 'chunk size too large'],
    ['data longer than its size', '3\r\nhello\r\n', 6, 'missing CRLF after chunk data'],
    ['LF only after data', '5\r\nhello\n0\r\n\r\n', 8, 'missing CRLF after chunk data'],
    ['CR then garbage after data', '5\r\nhello\rX', 9, 'missing CRLF after chunk data'],
    ['NUL in an extension', '5;a\0b\r\nhello\r\n', 3, 'invalid chunk extension'],
    ['bare LF in an extension', '5;a\nhello\r\n', 3, 'invalid chunk extension'],
    ['DEL in an extension', '5;a\x7f\r\n', 3, 'invalid chunk extension'],
    ['CR without LF after an extension', '5;a\rhello', 4, 'invalid chunk size line'],
    ['bare LF ending the last chunk line', '0\n\n', 1, 'invalid chunk size'],
    ['obs-fold in trailers', '0\r\nX: a\r\n b\r\n\r\n', 9, 'obs-fold in trailer'],
    ['tab fold in trailers', '0\r\nX: a\r\n\tb\r\n\r\n', 9, 'obs-fold in trailer'],
    ['NUL in a trailer', '0\r\nX: a\0\r\n\r\n', 7, 'invalid trailer'],
    ['bare LF in a trailer', '0\r\nX: a\n\r\n', 7, 'invalid trailer'],
    ['CR without LF in a trailer', '0\r\nX: a\rb\r\n\r\n', 8, 'invalid trailer line'],
    ['bare LF as the final line', '0\r\n\n', 3, 'invalid trailer'],
    // A lenient upstream that ends lines at a bare LF would read "0\r\n\n" as the end of the body and
    // the bytes after it as a second, smuggled request.
    [
      'bare LF then a smuggled request',
      '0\r\n\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n',
      3,
      'invalid trailer',
    ],
    ['NUL starting a trailer', '0\r\n\0X: a\r\n\r\n', 3, 'invalid trailer'],
    ['trailer line without a colon', '0\r\nGET /admin HTTP/1.1\r\n\r\n', 6, 'invalid trailer'],
    ['trailer name with a space before the colon', '0\r\nX : a\r\n\r\n', 4, 'invalid trailer'],
    ['trailer with an empty name', '0\r\n: a\r\n\r\n', 3, 'invalid trailer'],
    // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): whitespace after the size may only
    // lead to a ";". "5 6" could be read as 5 (what we would forward) or as 0x56 by another parser.
    ['whitespace then a second number', '5 6\r\nhello\r\n', 2, 'invalid chunk size'],
    ['whitespace then CRLF', '5 \r\nhello\r\n0\r\n\r\n', 2, 'invalid chunk size'],
    ['CR without LF as the final line', '0\r\n\rX', 4, 'invalid last chunk'],
  ];

  it.each(invalid)('%s', (_name, body, at, reason) => {
    const buf = b(body);
    expect(feed([buf])).toMatchObject({ kind: 'error', reason });
    // Byte by byte: the error comes with the offending byte, not before, not after.
    const sc = new ChunkedScanner();
    for (let i = 0; i < buf.length; i++) {
      const r = sc.scan(buf.subarray(i, i + 1));
      if (i < at) expect(r.kind, `byte ${i} of ${JSON.stringify(body)}`).toBe('more');
      else {
        expect(r, `byte ${i} of ${JSON.stringify(body)}`).toEqual({ kind: 'error', reason });
        break;
      }
    }
  });

  it.each(invalid)('%s: same error at every split point', (_name, body, _at, reason) => {
    const buf = b(body);
    for (let i = 0; i <= buf.length; i++) {
      expect(feed(splitAt(buf, [i])), `split at ${i}`).toMatchObject({ kind: 'error', reason });
    }
  });

  it('bounds chunk extensions to 16 KiB', () => {
    const ok = feed([b(`5;${'e'.repeat(16 * 1024 - 1)}\r\nhello\r\n0\r\n\r\n`)]);
    expect(ok.kind).toBe('done');
    const long = feed([b(`5;${'e'.repeat(16 * 1024 + 1)}\r\nhello\r\n0\r\n\r\n`)]);
    expect(long).toMatchObject({ kind: 'error', reason: 'chunk extension too long' });
  });

  it('bounds extensions across chunks too (they add up)', () => {
    const ext = `;${'e'.repeat(4 * 1024)}`;
    const body = b(`${chunk('a', ext).toString('latin1').repeat(5)}0\r\n\r\n`);
    expect(feed([body])).toMatchObject({ kind: 'error', reason: 'chunk extension too long' });
  });

  it('bounds trailers to 16 KiB', () => {
    const ok = feed([b(`0\r\nX: ${'t'.repeat(16 * 1024 - 10)}\r\n\r\n`)]);
    expect(ok.kind).toBe('done');
    const many = `0\r\n${`X-Long: ${'t'.repeat(1000)}\r\n`.repeat(20)}\r\n`;
    expect(feed([b(many)])).toMatchObject({ kind: 'error', reason: 'trailers too long' });
  });

  it('does not hand data past an invalid size line to onData', () => {
    const out = feed([b('3\r\nabc\r\nzz\r\nsecret\r\n0\r\n\r\n')]);
    expect(out.kind).toBe('error');
    expect(out.data.toString()).toBe('abc');
  });
});
