// The one gate every write passes, mounted before any router by createApp: every request whose method
// is not safe (RFC 9110 §9.2.1: GET, HEAD, OPTIONS), on any path, so a write route added later is
// covered without being listed anywhere. In order:
//   --read-only → 403 read_only;  no/malformed Authorization → 401;  wrong token → 403;
//   too many writes from this client (its token and address) → 429 with Retry-After.
// A write refused as malformed or naming nothing (400, 404, 413, 415, 428) could not have changed
// anything: its token is given back. A stale one (409) counts: a client retrying stale versions in a
// loop is what the limit is for.
import type { NextFunction, Request, Response } from 'express';
import type { WriteAuth, WriteRequestInfo } from '../weights/write-auth.ts';
import { sendError } from './api-error.ts';
import type { Take, WriteRateLimiter } from './write-rate-limiter.ts';

export interface WriteAccess {
  /** `--read-only`: every write is refused, whoever asks. */
  readOnly: boolean;
  authorize: (info: WriteRequestInfo) => WriteAuth;
  /** Absent: no rate limit (tests of other behaviour). */
  limiter?: WriteRateLimiter;
}

export interface WriteAttempt {
  method: string;
  authorization: string | undefined;
  remoteAddress: string | undefined;
}

export type WriteVerdict =
  | { kind: 'read' }
  | { kind: 'write'; who: string; client: string }
  | {
      kind: 'refused';
      status: 401 | 403 | 429;
      code: string;
      message: string;
      retryAfterSeconds?: number;
    };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const GIVEN_BACK = new Set([400, 404, 413, 415, 428]);

export const isWriteMethod = (method: string) => !SAFE.has(method.toUpperCase());

export const READ_ONLY_MESSAGE =
  'meshscope runs with --read-only: weights, guarded shifts and restarts cannot be changed here';

/** Pure: what the gate does with one request. */
export function judgeWrite(req: WriteAttempt, access: WriteAccess): WriteVerdict {
  if (!isWriteMethod(req.method)) return { kind: 'read' };
  if (access.readOnly) return { kind: 'refused', status: 403, code: 'read_only', message: READ_ONLY_MESSAGE };
  const auth = access.authorize({ authorization: req.authorization });
  if (!auth.ok) return { kind: 'refused', status: auth.status, code: auth.code, message: auth.message };
  // A client is a credential used from an address: two people sharing a token from two machines do
  // not starve each other, and one address cannot borrow another token's allowance.
  const client = `${auth.who} ${req.remoteAddress ?? ''}`;
  const taken: Take = access.limiter?.take(client) ?? { ok: true };
  if (!taken.ok) {
    const rate = access.limiter!.rate;
    return {
      kind: 'refused',
      status: 429,
      code: 'rate_limited',
      message: `too many writes: at most ${rate.burst} at once, then ${rate.perSecond} a second; retry in ${taken.retryAfterSeconds} s`,
      retryAfterSeconds: taken.retryAfterSeconds,
    };
  }
  return { kind: 'write', who: auth.who, client };
}

export function writeGate(access: WriteAccess) {
  return (req: Request, res: Response, next: NextFunction) => {
    const v = judgeWrite(
      {
        method: req.method,
        authorization: req.get('authorization'),
        remoteAddress: req.socket.remoteAddress,
      },
      access,
    );
    if (v.kind === 'read') return next();
    if (v.kind === 'refused') {
      if (v.status === 401) res.set('www-authenticate', 'Bearer realm="meshscope"');
      if (v.retryAfterSeconds !== undefined) res.set('retry-after', String(v.retryAfterSeconds));
      return sendError(res, v.status, v.code, v.message);
    }
    res.locals['who'] = v.who;
    const limiter = access.limiter;
    if (limiter !== undefined) {
      res.once('finish', () => {
        if (GIVEN_BACK.has(res.statusCode)) limiter.giveBack(v.client);
      });
    }
    next();
  };
}
