import { describe, expect, it } from 'vitest';
import { BodyFramer } from '../../../proxy/http/body-framer.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('BodyFramer', () => {
  it('none: the body is empty and everything is the next message', () => {
    const f = new BodyFramer('none');
    expect(f.done).toBe(true);
    const r = f.feed(b('GET / HTTP/1.1'));
    expect(r).toMatchObject({ kind: 'ok', done: true });
    if (r.kind === 'ok') expect(r.rest?.toString()).toBe('GET / HTTP/1.1');
  });

  it('length: splits at the Content-Length across buffers', () => {
    const f = new BodyFramer('length', 5);
    const r1 = f.feed(b('abc'));
    expect(r1.kind === 'ok' && [r1.body.toString(), r1.rest, r1.done]).toEqual(['abc', null, false]);
    const r2 = f.feed(b('deNEXT'));
    expect(r2.kind === 'ok' && [r2.body.toString(), r2.rest?.toString(), r2.done]).toEqual([
      'de',
      'NEXT',
      true,
    ]);
    expect(new BodyFramer('length', 0).done).toBe(true);
  });

  it('chunked: ends after the last chunk and trailers; errors on bad framing', () => {
    const f = new BodyFramer('chunked');
    const r = f.feed(b('3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET'));
    expect(r.kind === 'ok' && [r.body.toString(), r.rest?.toString(), r.done]).toEqual([
      '3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n',
      'GET',
      true,
    ]);
    expect(new BodyFramer('chunked').feed(b('zz\r\n'))).toMatchObject({ kind: 'error' });
  });

  it('close: everything belongs to the body until the connection ends', () => {
    const f = new BodyFramer('close');
    const r = f.feed(b('anything'));
    expect(r.kind === 'ok' && [r.body.toString(), r.rest, r.done]).toEqual(['anything', null, false]);
  });

  it('de-chunking hands out only chunk data', () => {
    const f = new BodyFramer('chunked');
    const parts: string[] = [];
    f.onChunkData = (buf, s, e) => parts.push(buf.toString('latin1', s, e));
    f.feed(b('2\r\nhi\r\n3\r\nyou\r\n0\r\n\r\n'));
    expect(parts.join('')).toBe('hiyou');
  });
});
