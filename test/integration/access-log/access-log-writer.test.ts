import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileAccessLogFormat } from '../../../proxy/access-log/access-log-format.ts';
import { createAccessLogSink } from '../../../proxy/access-log/access-log-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshscope-access-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('file access log sink', () => {
  it('writes formatted lines to the file, all of them by the time close() resolves', async () => {
    const path = join(dir, 'close.log');
    const format = compileAccessLogFormat('%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%\n');
    const sink = createAccessLogSink({ sink: 'file', path }, { flushIntervalMs: 60_000 });
    const expected: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const l = format({
        startTime: 0,
        method: 'GET',
        path: `/item/${i}`,
        protocol: 'HTTP/1.1',
        responseCode: 200 + (i % 3),
        responseFlags: '',
        bytesReceived: 0,
        bytesSent: 0,
        durationMs: 0,
        reqHeader: () => undefined,
        respHeader: () => undefined,
      });
      expected.push(l);
      sink.write(l);
    }
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(expected.join(''));
    expect(sink.written).toBe(2000);
    expect(sink.dropped).toBe(0);
  });

  it('appends to an existing file instead of truncating it', async () => {
    const path = join(dir, 'append.log');
    writeFileSync(path, 'from an earlier run\n');
    const sink = createAccessLogSink({ sink: 'file', path });
    sink.write('new line\n');
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe('from an earlier run\nnew line\n');
  });

  it('flushes on its timer without close()', async () => {
    const path = join(dir, 'timer.log');
    const sink = createAccessLogSink({ sink: 'file', path }, { flushIntervalMs: 30 });
    sink.write('soon\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    await waitFor(() => readFileSync(path, 'utf8') === 'soon\n');
    await sink.close();
  });

  it('fails at creation, with the path in the message, when the file cannot be opened', () => {
    const path = join(dir, 'no-such-dir', 'x.log');
    expect(() => createAccessLogSink({ sink: 'file', path })).toThrow(`cannot open access log ${path}`);
  });
});
