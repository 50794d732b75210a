// Who may write. Reads are open; every write (any method but GET, HEAD and OPTIONS: weights, revert,
// guarded shifts, conversions, restarts) needs `Authorization: Bearer <token>` with one of the write
// tokens (write-tokens.ts): none or a malformed header is a 401, a wrong token a 403. There is no mode
// without a token: bin/meshscope generates one when none is given.
//
// There is no cookie: a browser never attaches the credential on its own, so another site cannot
// forge a write (CSRF). The writes also need a JSON body, which a cross-site form cannot send without
// a CORS preflight, which the dashboard never approves.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WriteToken } from './write-tokens.ts';

export type WriteAuth =
  | { ok: true; who: string }
  | { ok: false; status: 401 | 403; code: string; message: string };

export interface WriteRequestInfo {
  authorization: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function authorizeWrite(req: WriteRequestInfo, tokens: readonly WriteToken[]): WriteAuth {
  if (tokens.length === 0) {
    return { ok: false, status: 403, code: 'forbidden', message: 'no write token is configured' };
  }
  // RFC 6750 §2.1: the `Bearer` scheme (case-insensitive) and one credential, nothing after it.
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.authorization ?? '');
  if (m === null) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'writes need an Authorization: Bearer <token> header',
    };
  }
  // Compared as digests: equal lengths for timingSafeEqual, which does not stop at the first differing
  // byte; every token is compared, so the time does not say which one nearly matched either.
  const given = digest(m[1]!);
  let match: WriteToken | undefined;
  for (const t of tokens) if (timingSafeEqual(digest(t.token), given) && match === undefined) match = t;
  return match === undefined
    ? { ok: false, status: 403, code: 'forbidden', message: 'the bearer token is not valid' }
    : { ok: true, who: match.subject };
}
