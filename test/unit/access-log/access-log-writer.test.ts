import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccessLogSink } from '../../../proxy/access-log/access-log-writer.ts';

/** A stream that records each write call; `stalled` holds every callback, like a pipe nobody reads. */
class RecordingStream extends Writable {
  readonly chunks: string[] = [];
  readonly held: (() => void)[] = [];
  stalled = false;
  constructor(highWaterMark = 16 * 1024) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.stalled) this.held.push(() => cb());
    else cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const line = (i: number, width = 100) => `${`line ${i} `.padEnd(width - 1, 'x')}\n`;

afterEach(() => {
  vi.useRealTimers();
});

describe('createAccessLogSink buffering', () => {
  it('holds lines until the flush timer, then writes them in one call', async () => {
    vi.useFakeTimers();
    const stream = new RecordingStream();
    const sink = createAccessLogSink({ sink: 'stdout' }, { stream, flushIntervalMs: 100 });
    for (let i = 0; i < 5; i++) sink.write(line(i));
    expect(stream.chunks).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(stream.chunks).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(stream.chunks).toHaveLength(1);
    expect(stream.text).toBe([0, 1, 2, 3, 4].map((i) => line(i)).join(''));
    expect(sink.written).toBe(5);
    await sink.close();
  });

  it('writes as soon as the buffer passes the size threshold, so 1,000 lines cost 2 writes', async () => {
    const stream = new RecordingStream();
    const sink = createAccessLogSink({ sink: 'stdout' }, { stream, flushIntervalMs: 60_000 });
    const lines = Array.from({ length: 1000 }, (_, i) => line(i));
    for (const l of lines) sink.write(l);
    // 64 KiB is reached at line 656; the remaining 344 lines wait for the timer or flush().
    expect(stream.chunks).toHaveLength(1);
    expect(stream.chunks[0]!.length).toBeGreaterThanOrEqual(64 * 1024);
    await sink.flush();
    expect(stream.chunks).toHaveLength(2);
    expect(stream.text).toBe(lines.join(''));
    await sink.close();
  });

  it('flush() resolves only once the stream has taken the data', async () => {
    const stream = new RecordingStream();
    stream.stalled = true;
    const sink = createAccessLogSink({ sink: 'stdout' }, { stream });
    sink.write('a\n');
    let flushed = false;
    const done = sink.flush().then(() => {
      flushed = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toBe(false);
    for (const cb of stream.held.splice(0)) cb();
    await done;
    expect(flushed).toBe(true);
    await sink.close();
  });
});

describe('createAccessLogSink under backpressure and failure', () => {
  it('drops and counts lines instead of queueing without bound when the reader stalls', async () => {
    const stream = new RecordingStream(1024);
    stream.stalled = true;
    const sink = createAccessLogSink(
      { sink: 'stdout' },
      { stream, flushBytes: 1000, maxPendingBytes: 10_000 },
    );
    for (let i = 0; i < 1000; i++) sink.write(line(i));
    expect(sink.written + sink.dropped).toBe(1000);
    expect(sink.dropped).toBeGreaterThan(800);
    expect(stream.writableLength).toBeLessThanOrEqual(10_000);
    // Once the reader catches up, new lines are accepted again.
    stream.stalled = false;
    while (stream.held.length > 0) {
      for (const cb of stream.held.splice(0)) cb();
      await new Promise((r) => setImmediate(r));
    }
    expect(stream.writableLength).toBe(0);
    const before = sink.written;
    sink.write('after\n');
    expect(sink.written).toBe(before + 1);
    await sink.close();
    expect(stream.text.endsWith('after\n')).toBe(true);
  });

  it('survives a stream error: records it, drops later lines, closes cleanly', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('EPIPE: reader went away'));
      },
    });
    const sink = createAccessLogSink({ sink: 'stdout' }, { stream, flushBytes: 1 });
    sink.write('first\n');
    await new Promise((r) => setImmediate(r));
    expect(sink.lastError?.message).toMatch(/EPIPE/);
    sink.write('second\n');
    expect(sink.dropped).toBe(1);
    await expect(sink.flush()).resolves.toBeUndefined();
    await expect(sink.close()).resolves.toBeUndefined();
  });

  it('drops lines written after close()', async () => {
    const stream = new RecordingStream();
    const sink = createAccessLogSink({ sink: 'stdout' }, { stream });
    sink.write('kept\n');
    const closing = sink.close();
    sink.write('late\n');
    await closing;
    expect(stream.text).toBe('kept\n');
    expect(sink.dropped).toBe(1);
    expect(sink.close()).toBe(closing);
  });

  it('closing a stdout sink leaves process.stdout open and removes its error listener', async () => {
    const listeners = process.stdout.listenerCount('error');
    const sink = createAccessLogSink({ sink: 'stdout' });
    expect(process.stdout.listenerCount('error')).toBe(listeners + 1);
    await sink.close();
    expect(process.stdout.listenerCount('error')).toBe(listeners);
    expect(process.stdout.writable).toBe(true);
  });
});

describe('createAccessLogSink configuration errors', () => {
  it('needs a path for a file sink', () => {
    expect(() => createAccessLogSink({ sink: 'file' })).toThrow('file access log needs a path');
  });
});
