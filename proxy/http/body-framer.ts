// Where a message body ends, as bytes stream in (RFC 9112 §6.3): by Content-Length, by the chunked
// framing (validated on the way), or — for a response only — by the connection closing. The framer
// never copies: it splits each incoming buffer into the part that belongs to this body and the bytes
// after it (the next pipelined message, or an upstream's excess that must not be relayed).
import { ChunkedScanner } from './chunked-scanner.ts';

export type Framing = 'none' | 'length' | 'chunked' | 'close';

export type FrameResult =
  | { kind: 'ok'; body: Buffer; rest: Buffer | null; done: boolean }
  | { kind: 'error'; reason: string };

const EMPTY = Buffer.alloc(0);

export class BodyFramer {
  readonly framing: Framing;
  private remaining: number;
  private readonly scanner: ChunkedScanner | undefined;
  done: boolean;

  constructor(framing: Framing, contentLength = 0) {
    this.framing = framing;
    this.remaining = framing === 'length' ? contentLength : 0;
    this.scanner = framing === 'chunked' ? new ChunkedScanner() : undefined;
    this.done = framing === 'none' || (framing === 'length' && contentLength === 0);
  }

  /** For de-chunking (an HTTP/1.0 client of a chunked upstream): called with each piece of chunk data. */
  set onChunkData(fn: (buf: Buffer, start: number, end: number) => void) {
    if (this.scanner) this.scanner.onData = fn;
  }

  feed(buf: Buffer): FrameResult {
    if (this.done) return { kind: 'ok', body: EMPTY, rest: buf, done: true };
    switch (this.framing) {
      case 'length': {
        if (buf.length < this.remaining) {
          this.remaining -= buf.length;
          return { kind: 'ok', body: buf, rest: null, done: false };
        }
        const body = buf.length === this.remaining ? buf : buf.subarray(0, this.remaining);
        const rest = buf.length > this.remaining ? buf.subarray(this.remaining) : null;
        this.remaining = 0;
        this.done = true;
        return { kind: 'ok', body, rest, done: true };
      }
      case 'chunked': {
        const r = this.scanner!.scan(buf);
        if (r.kind === 'error') return r;
        if (r.kind === 'more') return { kind: 'ok', body: buf, rest: null, done: false };
        this.done = true;
        return {
          kind: 'ok',
          body: r.end === buf.length ? buf : buf.subarray(0, r.end),
          rest: r.end < buf.length ? buf.subarray(r.end) : null,
          done: true,
        };
      }
      default:
        // 'close': everything until the connection ends belongs to the body.
        return { kind: 'ok', body: buf, rest: null, done: false };
    }
  }
}
