// The real `bin/meshscope` for end-to-end tests: spawned with the given source options on a free port,
// ready once /readyz answers 200 (discovery ran and a first cycle completed), its API read through the
// shared zod schemas. A hook SIGKILLs it if the test worker exits first. Writes need a bearer token:
// by default the dashboard gets a random one through MESHSCOPE_TOKEN (`token`, `writeHeaders`); with
// `{ token: 'generated' }` it generates its own, which is read from what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { z } from 'zod';
import { freePort } from './processes.ts';

const ROOT = join(import.meta.dirname, '../..');
const live = new Set<ChildProcess>();
let hookInstalled = false;

export interface DashboardProcess {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly proc: ChildProcess;
  /** What it wrote to stderr so far (the last 64 KiB). */
  readonly stderr: string;
  /** What it wrote to stdout so far (the last 64 KiB). */
  readonly stdout: string;
  /** The write token (MESHSCOPE_TOKEN given, or the one it printed); undefined with --read-only or --token-file. */
  readonly token: string | undefined;
  /** `Authorization: Bearer <token>` for writes. */
  readonly writeHeaders: Record<string, string>;
  /** GET `path` (e.g. `/api/graph?graphType=workload`), checked against `schema`. */
  get<T>(path: string, schema: z.ZodType<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Polls `fn` every 250 ms until `ok` holds (errors count as not yet), or throws with the last value
 * and `context()` (a dashboard's stderr, say) after `timeoutMs`.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const seen = last === undefined ? String(error) : JSON.stringify(last)?.slice(0, 800);
  throw new Error(`timed out waiting for ${what}; last: ${seen}\n${context()}`);
}

/** The token line bin/meshscope prints when it generated its write token (server/main.ts). */
export const GENERATED_TOKEN_LINE = /^write token \(generated, kept in (.+)\): (\S+)$/m;

export interface StartOptions {
  /** `'generated'`: no MESHSCOPE_TOKEN, the dashboard makes (or reuses) its own. Default: a random one. */
  token?: string | 'generated';
  /** More environment for the child. */
  env?: NodeJS.ProcessEnv;
}

/** Starts `bin/meshscope <args> --port <free>` and waits for /readyz. */
export async function startDashboard(
  args: string[],
  readyTimeoutMs = 30_000,
  opts: StartOptions = {},
): Promise<DashboardProcess> {
  const port = await freePort();
  const given = opts.token === 'generated' ? undefined : (opts.token ?? randomBytes(24).toString('hex'));
  const env = { ...process.env, ...opts.env };
  delete env['MESHSCOPE_TOKEN'];
  if (given !== undefined) env['MESHSCOPE_TOKEN'] = given;
  const proc = spawn(join(ROOT, 'bin/meshscope'), [...args, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (!hookInstalled) {
    hookInstalled = true;
    process.on('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
  let stderr = '';
  let stdout = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (s: string) => {
    stdout = (stdout + s).slice(-64 * 1024);
  });
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-64 * 1024);
  });
  const base = `http://127.0.0.1:${port}`;
  // --token-file beats MESHSCOPE_TOKEN: then the caller knows its token, not this helper.
  const token = () =>
    args.includes('--read-only') || args.includes('--token-file')
      ? undefined
      : (given ?? GENERATED_TOKEN_LINE.exec(stdout)?.[2]);
  const dashboard: DashboardProcess = {
    base,
    proc,
    get stderr() {
      return stderr;
    },
    get stdout() {
      return stdout;
    },
    get token() {
      return token();
    },
    get writeHeaders(): Record<string, string> {
      const t = token();
      return t === undefined ? {} : { authorization: `Bearer ${t}` };
    },
    async get(path, schema) {
      const res = await fetch(`${base}${path}`);
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
      return schema.parse(await res.json());
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
  await until(
    `meshscope ${args.join(' ')} to be ready`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}`);
      return (await fetch(`${base}/readyz`)).status;
    },
    (s) => s === 200,
    readyTimeoutMs,
    () => stderr,
  );
  if (opts.token === 'generated' && !args.includes('--read-only')) {
    // Printed right after it starts listening, so by now or in a moment.
    await until(
      'the generated write token to be printed',
      async () => token(),
      (t) => t !== undefined,
      5_000,
      () => `${stdout}\n${stderr}`,
    );
  }
  return dashboard;
}
