// Who may change weights. Reads are open; writes (PUT weights, POST revert) need, when a token is
// configured (`--token-file`, or `MESHSCOPE_TOKEN`), `Authorization: Bearer <token>`: none is a 401,
// a wrong one a 403. With no token configured, writes are accepted only from loopback clients whose
// Host header names a loopback address too (so a web page that rebinds its own DNS name to 127.0.0.1
// cannot drive them), and are recorded as made by `local`.
//
// There is no cookie: a browser never attaches the credential on its own, so another site cannot
// forge a write (CSRF). The writes also need a JSON body and an If-Match header, neither of which a
// cross-site form can send without a CORS preflight, which the dashboard never approves.
//
// Token file: one token per line, or `<subject> <token>` to name whose it is (the audit log records the
// subject); blank lines and `#` comments are ignored.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface WriteToken {
  subject: string;
  token: string;
}

export type WriteAuth =
  | { ok: true; who: string }
  | { ok: false; status: 401 | 403; code: string; message: string };

export interface WriteRequestInfo {
  authorization: string | undefined;
  remoteAddress: string | undefined;
  host: string | undefined;
}

export function parseTokenFile(text: string): WriteToken[] {
  const out: WriteToken[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length === 1) out.push({ subject: 'token', token: parts[0]! });
    else if (parts.length === 2) out.push({ subject: parts[0]!, token: parts[1]! });
    else throw new Error(`a token line is '<token>' or '<subject> <token>', got ${parts.length} words`);
  }
  return out;
}

/** The configured tokens: the file's, else MESHSCOPE_TOKEN's; none means loopback-only writes. */
export async function loadWriteTokens(opts: {
  tokenFile?: string | undefined;
  env: NodeJS.ProcessEnv;
}): Promise<WriteToken[]> {
  if (opts.tokenFile !== undefined) {
    const tokens = parseTokenFile(await readFile(opts.tokenFile, 'utf8'));
    if (tokens.length === 0) throw new Error(`${opts.tokenFile}: no token in the file`);
    return tokens;
  }
  const env = opts.env['MESHSCOPE_TOKEN']?.trim();
  return env ? [{ subject: 'token', token: env }] : [];
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** `localhost`, `127.x.y.z` or `[::1]`, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name.toLowerCase() === 'localhost' || isLoopbackAddress(name);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function authorizeWrite(req: WriteRequestInfo, tokens: readonly WriteToken[]): WriteAuth {
  if (tokens.length === 0) {
    if (isLoopbackAddress(req.remoteAddress) && isLoopbackHost(req.host)) return { ok: true, who: 'local' };
    return {
      ok: false,
      status: 403,
      code: 'forbidden',
      message:
        'no write token is configured (--token-file or MESHSCOPE_TOKEN), so weights can only be changed from this machine (a loopback client and Host)',
    };
  }
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.authorization ?? '');
  if (m === null) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'changing weights needs an Authorization: Bearer <token> header',
    };
  }
  // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first differing byte.
  const given = digest(m[1]!);
  const match = tokens.find((t) => timingSafeEqual(digest(t.token), given));
  return match === undefined
    ? { ok: false, status: 403, code: 'forbidden', message: 'the bearer token is not valid' }
    : { ok: true, who: match.subject };
}
