// Shared by the weights integration tests: bin/meshscope as a child process over a targets file, and
// small clients for its API and for a sidecar's admin. Every dashboard started here takes
// HARNESS_TOKEN (MESHSCOPE_TOKEN) for writes; putWeights sends it, raw writes add WRITE_HEADERS.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RouteList, RouteListSchema, type WeightedRoute } from '../../../shared/api/routes.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { freePort } from '../../support/processes.ts';
import type { SimulatedCluster } from '../../support/simulated-cluster.ts';

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

/**
 * `bin/meshscope --in-cluster` on the simulated cluster (its kubeconfig written to `dir`, the sidecars
 * found from the pods and scraped at their IPs), listening on 127.0.0.1, its audit log in `dir`, then
 * `args`. With `token`, writes take that bearer token as subject `ops` (`--token-file` in `dir`).
 */
export async function startInClusterDashboard(
  cluster: SimulatedCluster,
  dir: string,
  opts: { token?: string; args?: string[] } = {},
): Promise<Dashboard> {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.api.kubeconfig({ token: 't' }));
  const tokenArgs: string[] = [];
  if (opts.token !== undefined) {
    writeFileSync(join(dir, 'tokens'), `ops ${opts.token}\n`);
    tokenArgs.push('--token-file', join(dir, 'tokens'));
  }
  return startDashboard([
    ...tokenArgs,
    '--kubeconfig',
    kubeconfig,
    '--in-cluster',
    '--address',
    '127.0.0.1',
    '--audit-file',
    join(dir, 'audit.jsonl'),
    ...(opts.args ?? []),
  ]);
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

/**
 * A proxy's bootstrap with one route splitting between clusters web_v1 and web_v2 (backends on the
 * ports given; `v2Weight`, default 20, of 100 to web_v2). With `prefix` the route's weights are runtime
 * weights (`weighted_clusters.runtime_key_prefix`); unless `adminOnlyRuntime` is false the runtime is
 * one admin layer, with no disk layer: nothing but meshscope's writes sets them, and a restart forgets them.
 */
export function webSplitBootstrap(
  v1Port: number,
  v2Port: number,
  opts: { prefix?: string; v2Weight?: number; adminOnlyRuntime?: boolean } = {},
): Record<string, unknown> {
  const v2Weight = opts.v2Weight ?? 20;
  const b = staticBootstrap({
    listeners: [
      {
        routes: [
          {
            weightedClusters: [
              { name: 'web_v1', weight: 100 - v2Weight },
              { name: 'web_v2', weight: v2Weight },
            ],
          },
        ],
      },
    ],
    clusters: [
      { name: 'web_v1', endpoints: [{ port: v1Port }] },
      { name: 'web_v2', endpoints: [{ port: v2Port }] },
    ],
  });
  const json =
    opts.prefix === undefined
      ? JSON.stringify(b)
      : JSON.stringify(b).replace(
          '"weighted_clusters":{',
          `"weighted_clusters":{"runtime_key_prefix":"${opts.prefix}",`,
        );
  const doc = JSON.parse(json) as Record<string, unknown>;
  return opts.adminOnlyRuntime === false
    ? doc
    : { ...doc, layered_runtime: { layers: [{ name: 'admin', admin_layer: {} }] } };
}
