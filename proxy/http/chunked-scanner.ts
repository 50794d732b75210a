// Validates a chunked body (RFC 9112 §7.1) as it streams through, byte by byte across arbitrary
// buffer boundaries, so the proxy can forward the original bytes unchanged and still refuse a body
// whose framing another parser could read differently (invalid or oversized chunk sizes, bare LF,
// missing CRLF after data). It never buffers data: it only tracks where chunk data starts and ends.

const enum_ = {
  SIZE: 0,
  SIZE_DIGITS: 1,
  EXT: 2,
  SIZE_LF: 3,
  DATA: 4,
  DATA_CR: 5,
  DATA_LF: 6,
  TRAILER_START: 7,
  TRAILER_LINE: 8,
  TRAILER_LF: 9,
  FINAL_LF: 10,
  DONE: 11,
  SIZE_BWS: 12,
  TRAILER_NAME: 13,
} as const;

/** Chunk sizes above this many hex digits are refused (2^60 bytes is more than anyone sends). */
const MAX_SIZE_DIGITS = 15;
/** Bounds chunk extensions and trailers, which are otherwise unbounded header-like input. */
const MAX_META_BYTES = 16 * 1024;

/** RFC 9110 tchar, for trailer field names. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

export type ChunkResult =
  | { kind: 'more' }
  /** The body ended at `end` (exclusive) in this buffer; bytes after it belong to the next message. */
  | { kind: 'done'; end: number }
  | { kind: 'error'; reason: string };

const MORE: ChunkResult = { kind: 'more' };

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

export class ChunkedScanner {
  private state: number = enum_.SIZE;
  private remaining = 0;
  private digits = 0;
  private meta = 0;
  /** Called with each piece of chunk data (for de-chunking to an HTTP/1.0 peer); optional. */
  onData: ((buf: Buffer, start: number, end: number) => void) | undefined;

  get done(): boolean {
    return this.state === enum_.DONE;
  }

  scan(buf: Buffer, from = 0): ChunkResult {
    let i = from;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case enum_.DATA: {
          const take = Math.min(this.remaining, n - i);
          if (this.onData) this.onData(buf, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = enum_.DATA_CR;
          continue;
        }
        case enum_.SIZE:
        case enum_.SIZE_DIGITS: {
          const c = buf[i]!;
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return { kind: 'error', reason: 'chunk size too large' };
            this.remaining = this.remaining * 16 + v;
            this.state = enum_.SIZE_DIGITS;
          } else if (this.state === enum_.SIZE_DIGITS && c === 0x0d) {
            this.state = enum_.SIZE_LF;
          } else if (this.state === enum_.SIZE_DIGITS && c === 0x3b) {
            // chunk-ext: skipped, but bounded and free of control characters.
            this.state = enum_.EXT;
          } else if (this.state === enum_.SIZE_DIGITS && (c === 0x20 || c === 0x09)) {
            this.state = enum_.SIZE_BWS;
          } else {
            return { kind: 'error', reason: 'invalid chunk size' };
          }
          i++;
          continue;
        }
        case enum_.SIZE_BWS: {
          // chunk-ext = *( BWS ";" … ): whitespace after the size may only lead to a ";". Accepting
          // "5 6" or "5 \r\n" would let another parser read a different size than the one we forward.
          const c = buf[i]!;
          if (c === 0x3b) this.state = enum_.EXT;
          else if (c !== 0x20 && c !== 0x09) return { kind: 'error', reason: 'invalid chunk size' };
          else if (++this.meta > MAX_META_BYTES) return { kind: 'error', reason: 'chunk extension too long' };
          i++;
          continue;
        }
        case enum_.EXT: {
          const c = buf[i]!;
          if (c === 0x0d) this.state = enum_.SIZE_LF;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f)
            return { kind: 'error', reason: 'invalid chunk extension' };
          else if (++this.meta > MAX_META_BYTES) return { kind: 'error', reason: 'chunk extension too long' };
          i++;
          continue;
        }
        case enum_.SIZE_LF: {
          if (buf[i] !== 0x0a) return { kind: 'error', reason: 'invalid chunk size line' };
          i++;
          this.digits = 0;
          if (this.remaining === 0) this.state = enum_.TRAILER_START;
          else this.state = enum_.DATA;
          continue;
        }
        case enum_.DATA_CR: {
          if (buf[i] !== 0x0d) return { kind: 'error', reason: 'missing CRLF after chunk data' };
          this.state = enum_.DATA_LF;
          i++;
          continue;
        }
        case enum_.DATA_LF: {
          if (buf[i] !== 0x0a) return { kind: 'error', reason: 'missing CRLF after chunk data' };
          this.state = enum_.SIZE;
          i++;
          continue;
        }
        case enum_.TRAILER_START: {
          // A trailer is a field line (token ":" value). Anything else here, a bare LF above all, is
          // where a lenient upstream could see the end of the body and a smuggled request after it.
          const c = buf[i]!;
          if (c === 0x0d) this.state = enum_.FINAL_LF;
          else if (c === 0x20 || c === 0x09) return { kind: 'error', reason: 'obs-fold in trailer' };
          else if (TCHAR[c] === 1) this.state = enum_.TRAILER_NAME;
          else return { kind: 'error', reason: 'invalid trailer' };
          i++;
          continue;
        }
        case enum_.TRAILER_NAME: {
          const c = buf[i]!;
          if (c === 0x3a) this.state = enum_.TRAILER_LINE;
          else if (TCHAR[c] !== 1) return { kind: 'error', reason: 'invalid trailer' };
          else if (++this.meta > MAX_META_BYTES) return { kind: 'error', reason: 'trailers too long' };
          i++;
          continue;
        }
        case enum_.TRAILER_LINE: {
          const c = buf[i]!;
          if (c === 0x0d) this.state = enum_.TRAILER_LF;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f)
            return { kind: 'error', reason: 'invalid trailer' };
          else if (++this.meta > MAX_META_BYTES) return { kind: 'error', reason: 'trailers too long' };
          i++;
          continue;
        }
        case enum_.TRAILER_LF: {
          if (buf[i] !== 0x0a) return { kind: 'error', reason: 'invalid trailer line' };
          this.state = enum_.TRAILER_START;
          i++;
          continue;
        }
        case enum_.FINAL_LF: {
          if (buf[i] !== 0x0a) return { kind: 'error', reason: 'invalid last chunk' };
          this.state = enum_.DONE;
          return { kind: 'done', end: i + 1 };
        }
        default:
          return { kind: 'done', end: i };
      }
    }
    return MORE;
  }
}
