import { describe, expect, it } from 'vitest';
import type { HashPolicy } from '../../../proxy/config/model.ts';
import type { Headers } from '../../../proxy/http/head-parser.ts';
import { cookieValue, requestHash } from '../../../proxy/router/hash-policy.ts';
import { xxHash64 } from '../../../proxy/upstream/xxhash64.ts';

function head(pairs: [string, string][]): Headers {
  return {
    names: pairs.map((p) => p[0]),
    lower: pairs.map((p) => p[0].toLowerCase()),
    values: pairs.map((p) => p[1]),
  };
}

const byUser: HashPolicy[] = [{ kind: 'header', headerName: 'x-user', terminal: false }];

describe('request hash', () => {
  it('is xxHash64 of the header value, and absent without the header or without a policy', () => {
    expect(requestHash(byUser, head([['X-User', 'diego']]), undefined)).toBe(xxHash64('diego'));
    expect(requestHash(byUser, head([['x-other', 'diego']]), undefined)).toBeUndefined();
    expect(requestHash(undefined, head([['x-user', 'diego']]), undefined)).toBeUndefined();
  });

  it('does not depend on the order of repeated header values', () => {
    const a = requestHash(
      byUser,
      head([
        ['x-user', 'a'],
        ['x-user', 'b'],
      ]),
      undefined,
    );
    const b = requestHash(
      byUser,
      head([
        ['x-user', 'b'],
        ['x-user', 'a'],
      ]),
      undefined,
    );
    expect(a).toBe(b);
    expect(a).not.toBe(xxHash64('a'));
  });

  it('hashes a cookie value and the source IP without its port', () => {
    const cookie: HashPolicy[] = [{ kind: 'cookie', name: 'sid', terminal: false }];
    expect(requestHash(cookie, head([['cookie', 'a=1; sid="xyz"; b=2']]), undefined)).toBe(xxHash64('xyz'));
    const ip: HashPolicy[] = [{ kind: 'sourceIp', terminal: false }];
    expect(requestHash(ip, head([]), '10.1.2.3:5555')).toBe(xxHash64('10.1.2.3'));
    expect(requestHash(ip, head([]), '::1:5555')).toBe(xxHash64('::1'));
  });

  it('combines policies (rotate and XOR) and stops at a terminal one that produced a hash', () => {
    const both: HashPolicy[] = [
      { kind: 'header', headerName: 'x-user', terminal: false },
      { kind: 'sourceIp', terminal: false },
    ];
    const h1 = xxHash64('diego');
    const rotated = ((h1 << 1n) | (h1 >> 63n)) & 0xffff_ffff_ffff_ffffn;
    expect(requestHash(both, head([['x-user', 'diego']]), '10.0.0.1:1')).toBe(rotated ^ xxHash64('10.0.0.1'));
    const terminal: HashPolicy[] = [{ ...both[0]!, terminal: true } as HashPolicy, both[1]!];
    expect(requestHash(terminal, head([['x-user', 'diego']]), '10.0.0.1:1')).toBe(h1);
    // A terminal policy that finds nothing does not stop the walk.
    expect(requestHash(terminal, head([]), '10.0.0.1:1')).toBe(xxHash64('10.0.0.1'));
  });

  it('reads the first cookie of that name only', () => {
    expect(
      cookieValue(
        head([
          ['cookie', 'a=1'],
          ['cookie', 'sid=2; sid=3'],
        ]),
        'sid',
      ),
    ).toBe('2');
    expect(cookieValue(head([['cookie', 'sidx=1']]), 'sid')).toBeUndefined();
  });
});
