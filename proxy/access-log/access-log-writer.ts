// Where formatted access log lines go: stdout, stderr or a file opened for append. Lines are buffered
// and written in batches, when the buffer passes ~64 KiB or a short timer fires, as Envoy's file access
// log does (it flushes on a size threshold and on an interval): a write per request would cost the
// proxy a syscall per request. When the destination cannot keep up (a slow disk, a full pipe), lines are
// dropped and counted rather than queued without bound: the proxy must not run out of memory because
// nobody reads its stdout.

import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { AccessLog } from '../config/model.ts';

export interface AccessLogSinkOptions {
  /** Write the buffer this long after its first line at the latest. Default 100 ms. */
  flushIntervalMs?: number;
  /** Write as soon as this many characters are buffered. Default 64 KiB. */
  flushBytes?: number;
  /**
   * Drop a line when the buffer plus what the stream has not yet written would pass this. Default 8 MiB.
   * Counted in characters for the buffer and bytes for the stream: close enough for log lines.
   */
  maxPendingBytes?: number;
  /** Write here instead of the configured destination (tests, or a caller that owns the stream). */
  stream?: Writable;
}

export interface AccessLogSink {
  /** Queue one formatted line (it carries its own newline, as Envoy formats do). Never throws. */
  write(line: string): void;
  /** Write what is buffered and wait until the stream has taken it. Never rejects. */
  flush(): Promise<void>;
  /** Flush, then close the file (stdout/stderr stay open). Later writes are dropped. Never rejects. */
  close(): Promise<void>;
  /** Lines accepted for writing. */
  readonly written: number;
  /** Lines dropped: destination too slow, broken, or the sink already closed. */
  readonly dropped: number;
  /** The last write or open error of the destination, if any. */
  readonly lastError: Error | undefined;
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_FLUSH_BYTES = 64 * 1024;
const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * Opens the destination of one access log. A file is opened here, synchronously, so a bad path fails when
 * the configuration loads rather than at the first request.
 */
export function createAccessLogSink(
  config: Pick<AccessLog, 'sink' | 'path'>,
  opts: AccessLogSinkOptions = {},
): AccessLogSink {
  const { stream, owned } = opts.stream ? { stream: opts.stream, owned: false } : openDestination(config);
  return new BufferedSink(stream, owned, opts);
}

function openDestination(config: Pick<AccessLog, 'sink' | 'path'>): { stream: Writable; owned: boolean } {
  // Envoy configs often log to the file /dev/stdout; writing through process.stdout keeps one writer.
  if (config.sink === 'stdout' || (config.sink === 'file' && config.path === '/dev/stdout')) {
    return { stream: process.stdout, owned: false };
  }
  if (config.sink === 'stderr' || (config.sink === 'file' && config.path === '/dev/stderr')) {
    return { stream: process.stderr, owned: false };
  }
  if (config.path === undefined || config.path === '') throw new Error('file access log needs a path');
  let fd: number;
  try {
    fd = openSync(config.path, 'a');
  } catch (err) {
    throw new Error(`cannot open access log ${config.path}: ${(err as Error).message}`);
  }
  return { stream: createWriteStream(config.path, { fd, flags: 'a' }), owned: true };
}

class BufferedSink implements AccessLogSink {
  written = 0;
  dropped = 0;
  lastError: Error | undefined;
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private broken = false;
  /** Settles when the stream has taken the last chunk written (chunks complete in order). */
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly stream: Writable;
  private readonly owned: boolean;
  private readonly flushIntervalMs: number;
  private readonly flushBytes: number;
  private readonly maxPendingBytes: number;

  constructor(stream: Writable, owned: boolean, opts: AccessLogSinkOptions) {
    this.stream = stream;
    this.owned = owned;
    this.flushIntervalMs = opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.flushBytes = opts.flushBytes ?? DEFAULT_FLUSH_BYTES;
    this.maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    // Without a listener a write error (EPIPE on a closed stdout, ENOSPC) would be an uncaught
    // exception and stop the proxy.
    stream.on('error', this.onError);
  }

  private readonly onError = (err: Error): void => {
    this.lastError = err;
    this.broken = true;
  };

  write(line: string): void {
    if (this.closing !== undefined || this.broken) {
      this.dropped++;
      return;
    }
    if (this.buffer.length + this.stream.writableLength + line.length > this.maxPendingBytes) {
      this.dropped++;
      return;
    }
    this.buffer += line;
    this.written++;
    if (this.buffer.length >= this.flushBytes) {
      this.writeBuffer();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.writeBuffer(), this.flushIntervalMs);
      // A pending flush must not keep a stopping process alive; shutdown calls close().
      this.timer.unref();
    }
  }

  private writeBuffer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer === '' || this.broken) return;
    const chunk = this.buffer;
    this.buffer = '';
    // write()'s return value (backpressure) is read through writableLength at the next write(). The
    // callback runs once the chunk is written, or with the error if the stream failed or was destroyed.
    this.lastWrite = new Promise((resolve) => {
      this.stream.write(chunk, () => resolve());
    });
  }

  flush(): Promise<void> {
    this.writeBuffer();
    return this.lastWrite;
  }

  close(): Promise<void> {
    this.closing ??= this.flush().then(
      () =>
        new Promise<void>((resolve) => {
          // stdout and stderr outlive the sink (a reload makes a new one): only drop our listener.
          if (!this.owned) {
            this.stream.off('error', this.onError);
            return resolve();
          }
          if (this.broken) return resolve();
          this.stream.end(() => resolve());
        }),
    );
    return this.closing;
  }
}
