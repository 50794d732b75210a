// Where the write tokens come from, first match wins:
//   1. `--token-file FILE` (in Kubernetes, a Secret mounted as a file): one token a line, or
//      `<subject> <token>` to name whose it is (the audit log records the subject); blank lines and
//      `#` comments are ignored;
//   2. `MESHSCOPE_TOKEN` (in Kubernetes, a Secret given through `env[].valueFrom.secretKeyRef`);
//   3. generated: 32 random bytes, kept 0600 in the dashboard's state (the data dir; the demo's own
//      dir) so a restart keeps it and a browser tab that has it keeps working. Printed at each start.
// The explicit flag beats the environment, as a command line beats the shell it runs in.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WriteToken {
  subject: string;
  token: string;
}

export type WriteTokens =
  | { source: 'file'; file: string; tokens: WriteToken[] }
  | { source: 'env'; tokens: WriteToken[] }
  | { source: 'generated'; file: string; created: boolean; tokens: [WriteToken] };

/** Subject of a token given without one (a MESHSCOPE_TOKEN, a bare line, a generated token). */
export const DEFAULT_SUBJECT = 'token';

export function parseTokenFile(text: string): WriteToken[] {
  const out: WriteToken[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length === 1) out.push({ subject: DEFAULT_SUBJECT, token: parts[0]! });
    else if (parts.length === 2) out.push({ subject: parts[0]!, token: parts[1]! });
    else throw new Error(`a token line is '<token>' or '<subject> <token>', got ${parts.length} words`);
  }
  return out;
}

/** 256 bits, URL-safe (it travels in a `#token=` fragment and an Authorization header). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const GENERATED = /^[A-Za-z0-9_-]{32,}$/;

/**
 * The generated token in `file`: read when it exists (refused if group or others may read it, as ssh
 * refuses a private key), else created with O_EXCL, so two dashboards starting together agree on one.
 */
export async function generatedToken(file: string): Promise<{ token: string; created: boolean }> {
  for (;;) {
    try {
      const st = await stat(file);
      if ((st.mode & 0o077) !== 0) {
        throw new Error(
          `${file}: the write token is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it or remove it`,
        );
      }
      const token = (await readFile(file, 'utf8')).trim();
      if (!GENERATED.test(token)) {
        throw new Error(`${file}: not a token meshscope generated; remove it to have a new one generated`);
      }
      return { token, created: false };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const token = generateToken();
    try {
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(`${token}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { token, created: true };
    } catch (e) {
      // Another dashboard created it between our stat and open: read theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export async function resolveWriteTokens(opts: {
  tokenFile?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Where a generated token is kept. */
  generatedFile: string;
}): Promise<WriteTokens> {
  if (opts.tokenFile !== undefined) {
    const tokens = parseTokenFile(await readFile(opts.tokenFile, 'utf8'));
    if (tokens.length === 0) throw new Error(`${opts.tokenFile}: no token in the file`);
    return { source: 'file', file: opts.tokenFile, tokens };
  }
  const env = opts.env['MESHSCOPE_TOKEN']?.trim();
  if (env) return { source: 'env', tokens: [{ subject: DEFAULT_SUBJECT, token: env }] };
  const g = await generatedToken(opts.generatedFile);
  return {
    source: 'generated',
    file: opts.generatedFile,
    created: g.created,
    tokens: [{ subject: DEFAULT_SUBJECT, token: g.token }],
  };
}
