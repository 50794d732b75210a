// How long a weight change takes to reach every replica, runtime strategy, locally: the real
// bin/meshscope over a targets file listing N replicas (bin/meshscope-proxy) of one workload whose
// route splits between two backends with `runtime_key_prefix`, the replicas sharing one runtime disk
// layer (so the dashboard writes it, then swaps the symlink every replica reloads from, as a ConfigMap
// shared by a Deployment's pods would be).
//
// Each round flips the split between 100/0 and 0/100, so a single request tells which split a replica
// serves. Measured from just before `PUT /api/routes/:id/weights`:
//   apiMs     the PUT's answer: disk layer written, one /runtime_modify per replica, each read back;
//   servedMs  a request through every replica (sent when the PUT answers, in parallel) came back from
//             the new backend: every replica serves the new split. It includes those requests' own
//             latency, measured alone just before the change as probeMs (same kept-alive connections).
// Target (issue 5): within 100 ms for 20 replicas. Prints a table, then ONE JSON object as the last line.
//
//   node bench/weights/run.ts [--replicas 1,20] [--rounds 15] [--no-disk]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { writeRuntimeDir } from '../../proxy/runtime/runtime-dir.ts';
import { RouteListSchema } from '../../shared/api/routes.ts';
import { WeightChangeResultSchema } from '../../shared/api/weights.ts';
import { startDashboard, until, WRITE_HEADERS } from '../../test/integration/weights/weights-harness.ts';
import { staticBootstrap } from '../../test/support/envoy-bootstrap.ts';
import { type ProxyProcess, startBackend, startProxy, stopAll } from '../../test/support/processes.ts';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1,20' },
    rounds: { type: 'string', default: '15' },
    'no-disk': { type: 'boolean', default: false },
  },
});
const replicaCounts = values.replicas.split(',').map(Number);
const rounds = Number(values.rounds);
const withDisk = !values['no-disk'];
const PREFIX = 'routing.split.web';

function bootstrap(v1: number, v2: number, runtimeRoot: string | undefined): Record<string, unknown> {
  const b = staticBootstrap({
    listeners: [
      {
        routes: [
          {
            weightedClusters: [
              { name: 'web_v1', weight: 100 },
              { name: 'web_v2', weight: 0 },
            ],
          },
        ],
      },
    ],
    clusters: [
      { name: 'web_v1', endpoints: [{ port: v1 }] },
      { name: 'web_v2', endpoints: [{ port: v2 }] },
    ],
  });
  const json = JSON.stringify(b).replace(
    '"weighted_clusters":{',
    `"weighted_clusters":{"runtime_key_prefix":"${PREFIX}",`,
  );
  const layers: unknown[] = [];
  if (runtimeRoot !== undefined) layers.push({ name: 'disk', disk_layer: { symlink_root: runtimeRoot } });
  layers.push({ name: 'admin', admin_layer: {} });
  return { ...JSON.parse(json), layered_runtime: { layers } };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Which backend answered a request through the replica's listener. */
function backendVia(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['x-backend'] ?? `HTTP ${res.statusCode}`)));
    });
    req.on('error', reject);
  });
}

function quantiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const r = (x: number) => Number(x.toFixed(1));
  return { median: r(at(0.5)), p95: r(at(0.95)), max: r(s.at(-1)!) };
}

interface Result {
  replicas: number;
  rounds: number;
  apiMs: ReturnType<typeof quantiles>;
  servedMs: ReturnType<typeof quantiles>;
  probeMs: ReturnType<typeof quantiles>;
  statuses: Record<string, number>;
}

async function measure(n: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-weights-'));
  const [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  const runtimeRoot = withDisk ? join(dir, 'runtime') : undefined;
  if (runtimeRoot)
    await writeRuntimeDir(runtimeRoot, { [`${PREFIX}.web_v1`]: '100', [`${PREFIX}.web_v2`]: '0' });
  const config = bootstrap(v1.port, v2.port, runtimeRoot);
  const proxies: ProxyProcess[] = [];
  // A few at a time: 20 Node processes starting at once on 2 cores time out their readiness checks.
  for (let i = 0; i < n; i += 4) {
    proxies.push(
      ...(await Promise.all(Array.from({ length: Math.min(4, n - i) }, () => startProxy(config)))),
    );
  }
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({
      targets: [{ workload: 'web', kind: 'meshscope-proxy', admin: proxies.map((p) => p.adminUrl) }],
    }),
  );
  const dash = await startDashboard([
    '--targets',
    targets,
    '--audit-file',
    join(dir, 'audit.jsonl'),
    '--scrape-interval',
    '5',
    // Back-to-back changes are the measurement: far above the default limit of 10 per 10 s.
    '--write-rate',
    '1000/1',
  ]);
  try {
    const listRoutes = async () =>
      RouteListSchema.parse(await (await fetch(`${dash.base}/api/routes`)).json()).routes;
    const route = await until(
      'the route with every replica',
      async () => (await listRoutes()).find((r) => r.replicas.length === n),
      60_000,
    );
    const api: number[] = [];
    const served: number[] = [];
    const probe: number[] = [];
    const statuses: Record<string, number> = {};
    let version = route.version;
    for (let i = 0; i < rounds + 2; i++) {
      const toV2 = i % 2 === 0;
      const want = toV2 ? 'v2' : 'v1';
      const p0 = performance.now();
      const before = await Promise.all(proxies.map((p) => backendVia(p.listenerPort)));
      const probeTime = performance.now() - p0;
      if (before.some((b) => b === want))
        throw new Error(`round ${i}: a replica serves the new split too early`);
      const t0 = performance.now();
      const res = await fetch(`${dash.base}/api/routes/${encodeURIComponent(route.id)}/weights`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...WRITE_HEADERS, 'if-match': version },
        body: JSON.stringify({ weights: toV2 ? { web_v1: 0, web_v2: 100 } : { web_v1: 100, web_v2: 0 } }),
      });
      const body: unknown = await res.json();
      const t1 = performance.now();
      if (res.status !== 200) throw new Error(`PUT answered ${res.status}: ${JSON.stringify(body)}`);
      const result = WeightChangeResultSchema.parse(body);
      version = result.version;
      const backends = await Promise.all(proxies.map((p) => backendVia(p.listenerPort)));
      const t2 = performance.now();
      const wrong = backends.filter((b) => b !== want);
      if (wrong.length > 0) throw new Error(`round ${i}: ${wrong.length} replicas still serve the old split`);
      if (i < 2) continue; // warm-up: first connections, first disk swaps
      api.push(t1 - t0);
      served.push(t2 - t0);
      probe.push(probeTime);
      for (const r of result.replicas) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
    return {
      replicas: n,
      rounds,
      apiMs: quantiles(api),
      servedMs: quantiles(served),
      probeMs: quantiles(probe),
      statuses,
    };
  } finally {
    await dash.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const n of replicaCounts) {
  const r = await measure(n);
  results.push(r);
  process.stdout.write(
    `${String(n).padStart(3)} replicas: PUT answered median ${r.apiMs.median} ms (p95 ${r.apiMs.p95}, max ${r.apiMs.max}); ` +
      `every replica serving the new split median ${r.servedMs.median} ms (p95 ${r.servedMs.p95}, max ${r.servedMs.max}; ` +
      `a request through every replica alone: median ${r.probeMs.median} ms); ` +
      `replica statuses ${JSON.stringify(r.statuses)}\n`,
  );
}
const twenty = results.find((r) => r.replicas === 20);
if (twenty) {
  const verdict = (ms: number) => `${ms} ms, ${ms <= 100 ? 'met' : 'not met'}`;
  process.stdout.write(
    `target, 20 replicas within 100 ms (medians): confirmed by every replica's /runtime when the PUT answers ${verdict(twenty.apiMs.median)}; ` +
      `seen from outside by a request through each ${verdict(twenty.servedMs.median)}\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({
    bench: 'weights',
    node: process.version,
    loadavg1: Number(loadavg()[0]!.toFixed(2)),
    disk: withDisk,
    results,
  })}\n`,
);
