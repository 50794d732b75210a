// Shared by the weights integration tests: bin/meshscope as a child process over a targets file, and
// small clients for its API and for a sidecar's admin. Every dashboard started here takes
// HARNESS_TOKEN (MESHSCOPE_TOKEN) for writes; putWeights sends it, raw writes add WRITE_HEADERS.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type RouteList, RouteListSchema, type WeightedRoute } from '../../../shared/api/routes.ts';
import { freePort } from '../../support/processes.ts';

const ROOT = join(import.meta.dirname, '../../..');

/** The write token of every dashboard this harness starts. */
export const HARNESS_TOKEN = randomBytes(24).toString('hex');
export const WRITE_HEADERS: Readonly<Record<string, string>> = { authorization: `Bearer ${HARNESS_TOKEN}` };

export interface Dashboard {
  base: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `bin/meshscope <args>` on a free port (scraping every 0.5 s unless args say otherwise), once /readyz answers. */
export async function startDashboard(args: string[]): Promise<Dashboard> {
  const port = await freePort();
  const proc = spawn(
    join(ROOT, 'bin/meshscope'),
    ['--port', String(port), '--scrape-interval', '0.5', '--window', '10', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MESHSCOPE_TOKEN: HARNESS_TOKEN } },
  );
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await until(
    'the dashboard to be ready',
    () => fetch(`${base}/readyz`).then((r) => r.status === 200),
    30_000,
    () => output,
  );
  return {
    base,
    proc,
    output: () => output,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 15_000,
  context: () => string = () => '',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last: ${String(last).slice(0, 300)}\n${context().slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function routes(base: string): Promise<RouteList['routes']> {
  return RouteListSchema.parse(await (await fetch(`${base}/api/routes`)).json()).routes;
}

export async function route(base: string, id: string): Promise<WeightedRoute | undefined> {
  return (await routes(base)).find((r) => r.id === id);
}

export function putWeights(
  base: string,
  id: string,
  body: unknown,
  version: string | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/api/routes/${encodeURIComponent(id)}/weights`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      ...WRITE_HEADERS,
      ...(version !== undefined && { 'if-match': version }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A sidecar's `/runtime` final values. */
export async function runtimeOf(adminUrl: string): Promise<Record<string, string>> {
  const doc = (await (await fetch(`${adminUrl}/runtime`)).json()) as {
    entries: Record<string, { final_value: string }>;
  };
  return Object.fromEntries(Object.entries(doc.entries).map(([k, v]) => [k, v.final_value]));
}

/** `upstream_rq_total` of each cluster, from the sidecar's `/stats`. */
export async function upstreamTotals(adminUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${adminUrl}/stats?filter=upstream_rq_total`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cluster\.(.+)\.upstream_rq_total: (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
