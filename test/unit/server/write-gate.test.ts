// The write gate's decisions: reads pass, --read-only refuses every write method before anything else,
// then the token (401/403), then the client's rate (429 with Retry-After).
import { describe, expect, it } from 'vitest';
import { isWriteMethod, judgeWrite, type WriteAccess } from '../../../server/api/write-gate.ts';
import { WriteRateLimiter } from '../../../server/api/write-rate-limiter.ts';
import { authorizeWrite } from '../../../server/weights/write-auth.ts';

const tokens = [{ subject: 'ci', token: 'T0KEN' }];
const access = (over: Partial<WriteAccess> = {}): WriteAccess => ({
  readOnly: false,
  authorize: (info) => authorizeWrite(info, tokens),
  ...over,
});
const write = { method: 'PUT', authorization: 'Bearer T0KEN', remoteAddress: '10.0.0.1' };

describe('judgeWrite', () => {
  it('lets every safe method through untouched, read-only or not', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      expect(judgeWrite({ ...write, method, authorization: undefined }, access({ readOnly: true }))).toEqual({
        kind: 'read',
      });
    }
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'])
      expect(isWriteMethod(method)).toBe(true);
  });

  it('with --read-only refuses every write method with 403 read_only, even with the right token', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(judgeWrite({ ...write, method }, access({ readOnly: true }))).toMatchObject({
        kind: 'refused',
        status: 403,
        code: 'read_only',
        message: expect.stringMatching(/--read-only/),
      });
    }
  });

  it('needs the token: 401 without, 403 wrong, the subject and client when right', () => {
    expect(judgeWrite({ ...write, authorization: undefined }, access())).toMatchObject({ status: 401 });
    expect(judgeWrite({ ...write, authorization: 'Bearer nope' }, access())).toMatchObject({ status: 403 });
    expect(judgeWrite(write, access())).toEqual({ kind: 'write', who: 'ci', client: 'ci 10.0.0.1' });
  });

  it('limits each client, counting only authorized writes', () => {
    const limiter = new WriteRateLimiter({ burst: 2, perSecond: 0.5 }, () => 0);
    const a = access({ limiter });
    for (let i = 0; i < 5; i++) judgeWrite({ ...write, authorization: 'Bearer nope' }, a);
    expect(judgeWrite(write, a).kind).toBe('write');
    expect(judgeWrite(write, a).kind).toBe('write');
    expect(judgeWrite(write, a)).toMatchObject({
      kind: 'refused',
      status: 429,
      code: 'rate_limited',
      retryAfterSeconds: 2,
    });
    expect(judgeWrite({ ...write, remoteAddress: '10.0.0.2' }, a).kind).toBe('write');
  });
});
