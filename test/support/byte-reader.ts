// Awaitable reads over a socket's bytes, for tests that speak raw HTTP/1.1: "the next N bytes", "up to
// this delimiter", "until the peer closes". Every wait has a deadline, and a timeout error shows what
// had arrived, so a test that hangs explains itself instead of hitting vitest's global timeout.
import type net from 'node:net';

export const DEFAULT_READ_TIMEOUT_MS = 5_000;

export class ReadTimeoutError extends Error {}

export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private wake: (() => void) | null = null;
  /** Bytes received in total, whether read yet or not. */
  received = 0;

  constructor(socket: net.Socket) {
    socket.on('data', (b: Buffer) => this.push(b));
    socket.on('end', () => this.end());
    socket.on('close', () => this.end());
    socket.on('error', () => this.end());
  }

  /** True once the peer closed (or reset) and every received byte has been read. */
  get eof(): boolean {
    return this.ended && this.length === 0;
  }

  /** The peer closed or reset its side (unread bytes may remain). */
  get peerClosed(): boolean {
    return this.ended;
  }

  get buffered(): number {
    return this.length;
  }

  private push(b: Buffer): void {
    this.received += b.length;
    this.chunks.push(b);
    this.length += b.length;
    this.notify();
  }

  private end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves when `ready()` holds; rejects on timeout, or when the peer closed and it cannot hold. */
  private async until(ready: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.ended)
        throw new Error(`connection closed while waiting for ${what}; unread: ${this.preview()}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new ReadTimeoutError(
          `timed out after ${timeoutMs} ms waiting for ${what}; unread: ${this.preview()}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private compact(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private take(n: number): Buffer {
    const all = this.compact();
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  preview(max = 200): string {
    const all = this.compact();
    const s = JSON.stringify(all.subarray(0, max).toString('latin1'));
    return all.length > max ? `${s}… (${all.length} bytes)` : s;
  }

  async readExactly(n: number, timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<Buffer> {
    await this.until(() => this.length >= n, `${n} bytes`, timeoutMs);
    return this.take(n);
  }

  /** Reads through the first occurrence of `delim` (included in the result). */
  async readUntil(delim: string, timeoutMs = DEFAULT_READ_TIMEOUT_MS, maxBytes = 1 << 20): Promise<Buffer> {
    let at = -1;
    await this.until(
      () => {
        if (this.length === 0) return false;
        at = this.compact().indexOf(delim, 0, 'latin1');
        if (at < 0 && this.length > maxBytes)
          throw new Error(`no ${JSON.stringify(delim)} in ${maxBytes} bytes`);
        return at >= 0;
      },
      JSON.stringify(delim),
      timeoutMs,
    );
    return this.take(at + delim.length);
  }

  /** Everything until the peer closes. */
  async readToEnd(timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new ReadTimeoutError(
          `timed out after ${timeoutMs} ms waiting for the peer to close; unread: ${this.preview()}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.take(this.length);
  }

  /**
   * Consumes exactly `n` bytes as they arrive, handing each piece to `sink` without keeping them: for
   * bodies too large to hold (a 200 MiB transfer). The deadline is for the whole read.
   */
  async stream(n: number, sink: (piece: Buffer) => void, timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<void> {
    let left = n;
    const deadline = Date.now() + timeoutMs;
    while (left > 0) {
      await this.until(() => this.length > 0, `${left} more body bytes`, Math.max(1, deadline - Date.now()));
      while (left > 0 && this.chunks.length > 0) {
        const c = this.chunks[0]!;
        if (c.length <= left) {
          this.chunks.shift();
          this.length -= c.length;
          left -= c.length;
          sink(c);
        } else {
          this.chunks[0] = c.subarray(left);
          this.length -= left;
          sink(c.subarray(0, left));
          left = 0;
        }
      }
    }
  }

  /** Resolves true if the peer closes within `timeoutMs` with nothing more unread, false otherwise. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    try {
      const rest = await this.readToEnd(timeoutMs);
      return rest.length === 0;
    } catch (e) {
      if (e instanceof ReadTimeoutError) return false;
      throw e;
    }
  }
}
