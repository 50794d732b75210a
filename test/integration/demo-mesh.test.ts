// The demo mesh behind `npm start`, checked the way the dashboard sees it: through the targets file it
// writes and the real admin APIs of its sidecars (plain HTTP, `/stats/prometheus` parsed with our parser).
// Each demo here runs on its own 127.0.x.0/24 so it cannot collide with a developer's `npm start`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRuntimeDir } from '../../proxy/runtime/runtime-dir.ts';
import { type DemoMesh, startDemoMesh } from '../../server/demo/start-demo-mesh.ts';
import { parsePrometheusText } from '../../server/metrics/prom-text-parser.ts';
import type { Inventory } from '../../server/model/inventory.ts';
import { loadTargetsFile } from '../../server/sources/targets-file/targets-file-source.ts';
import { PINNED_NODE } from '../support/processes.ts';

const START_DEMO = pathToFileURL(resolve(import.meta.dirname, '../../server/demo/start-demo-mesh.ts')).href;

function get(
  url: string,
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((res, rej) => {
    const req = http.request(url, { method, agent: false, timeout: 5_000 }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (s: string) => {
        body += s;
      });
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', rej);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A sidecar's counters: `cluster:<name>` → upstream_rq_total, `retry:<name>` → upstream_rq_retry,
 * `overflow:<name>` → upstream_rq_pending_overflow, `http:<prefix>` → downstream_rq_total.
 */
async function counters(adminUrl: string): Promise<Map<string, number>> {
  const r = await get(`${adminUrl}/stats/prometheus`);
  expect(r.status).toBe(200);
  const parsed = parsePrometheusText(r.body);
  expect(parsed.errorCount).toBe(0);
  const out = new Map<string, number>();
  for (const [family, key] of [
    ['envoy_cluster_upstream_rq_total', 'cluster'],
    ['envoy_cluster_upstream_rq_retry', 'retry'],
    ['envoy_cluster_upstream_rq_pending_overflow', 'overflow'],
  ] as const) {
    for (const s of parsed.families.get(family)?.samples ?? []) {
      out.set(`${key}:${s.labels['envoy_cluster_name']}`, s.value);
    }
  }
  for (const s of parsed.families.get('envoy_http_downstream_rq_total')?.samples ?? []) {
    out.set(`http:${s.labels['envoy_http_conn_manager_prefix']}`, s.value);
  }
  return out;
}

/** Counter deltas of every named sidecar over `ms`. */
async function deltasOver(
  mesh: DemoMesh,
  names: readonly string[],
  ms: number,
): Promise<Map<string, Map<string, number>>> {
  const admin = (n: string) => mesh.workloads.find((w) => w.name === n)!.adminUrl;
  const before = await Promise.all(names.map((n) => counters(admin(n))));
  await sleep(ms);
  const after = await Promise.all(names.map((n) => counters(admin(n))));
  return new Map(
    names.map((n, i) => {
      const d = new Map<string, number>();
      for (const [k, v] of after[i]!) d.set(k, v - (before[i]!.get(k) ?? 0));
      return [n, d];
    }),
  );
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.createServer();
    s.once('error', () => res(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => res(true)));
  });
}

/** Running, not merely a zombie waiting for a reaper (an orphan's reaper may be slow or absent). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('the demo mesh', () => {
  let dir: string;
  let mesh: DemoMesh | undefined;
  let inventory: Inventory;
  const w = (name: string) => mesh!.workloads.find((x) => x.name === name)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshscope-demo-'));
    const started = Date.now();
    mesh = await startDemoMesh({ workDir: dir, ratePerSecond: 20, baseAddress: '127.0.77.' });
    // "A few seconds at most" on an idle machine; the bound leaves room for a busy CI.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 40_000);

  afterAll(async () => {
    await mesh?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('writes a targets file that the dashboard loads, one workload per address', () => {
    inventory = loadTargetsFile(mesh!.targetsPath);
    expect(inventory.workloads.map((x) => `${x.namespace}/${x.name} ${x.app}:${x.version}`).sort()).toEqual([
      'bookinfo/details-v1 details:v1',
      'bookinfo/details-v2 details:v2',
      'bookinfo/productpage-v1 productpage:v1',
      'bookinfo/ratings-v1 ratings:v1',
      'bookinfo/reviews-v1 reviews:v1',
      'bookinfo/reviews-v2 reviews:v2',
      'bookinfo/reviews-v3 reviews:v3',
      'default/backend-v1 backend:v1',
      'default/backend-v2 backend:v2',
      'default/frontend frontend:v1',
    ]);
    const ips = inventory.workloads.flatMap((x) => x.addresses);
    expect(new Set(ips).size).toBe(10);
    for (const ip of ips) expect(ip).toMatch(/^127\.0\.77\.\d+$/);
    expect(inventory.sidecars).toHaveLength(10);
    for (const s of inventory.sidecars) {
      const wl = inventory.workloads.find((x) => x.name === s.workload)!;
      expect(s.kind).toBe('meshscope-proxy');
      expect(s.admin.baseUrl).toBe(`http://${wl.addresses[0]}:9901`);
    }
    const svc = (ns: string, name: string) =>
      inventory.services.find((s) => s.namespace === ns && s.name === name)?.endpointIps.sort();
    const ip = (name: string) => inventory.workloads.find((x) => x.name === name)!.addresses[0]!;
    expect(svc('default', 'backend')).toEqual([ip('backend-v1'), ip('backend-v2')].sort());
    expect(svc('bookinfo', 'reviews')).toEqual([ip('reviews-v1'), ip('reviews-v2'), ip('reviews-v3')].sort());
    // details v2 is the mirror's shadow: in the Service, as Istio mirrors to a subset of the host.
    expect(svc('bookinfo', 'details')).toEqual([ip('details-v1'), ip('details-v2')].sort());
    expect(svc('bookinfo', 'ratings')).toEqual([ip('ratings-v1')]);
    expect(svc('bookinfo', 'productpage')).toEqual([ip('productpage-v1')]);
  });

  it('runs a ready sidecar per workload whose upstream endpoints are the callees’ addresses', async () => {
    for (const s of inventory.sidecars) {
      expect((await get(`${s.admin.baseUrl}/ready`)).status, s.workload).toBe(200);
    }
    // Endpoints map to workloads by IP, as pod IPs do: the lab's STRICT_DNS names resolve through the
    // demo's hosts file, bookinfo's STATIC endpoints list the IPs.
    const hostsOf = async (name: string, cluster: string) =>
      (await get(`${w(name).adminUrl}/clusters`)).body
        .split('\n')
        .filter((l) => l.startsWith(`${cluster}::`) && l.endsWith('::health_flags::healthy'))
        .map((l) => l.split('::')[1]);
    expect(await hostsOf('frontend', 'backend_v1')).toEqual([`${w('backend-v1').ip}:15006`]);
    expect(await hostsOf('frontend', 'backend_v2')).toEqual([`${w('backend-v2').ip}:15006`]);
    expect(await hostsOf('productpage-v1', 'reviews_v3')).toEqual([`${w('reviews-v3').ip}:15006`]);
    expect(await hostsOf('reviews-v2', 'ratings')).toEqual([`${w('ratings-v1').ip}:15006`]);
  });

  it('answers like the lab’s images and bookinfo', async () => {
    const page = await get(`http://${w('frontend').ip}:15006/`);
    expect(page.status).toBe(200);
    expect(['v1', 'v2']).toContain(page.headers['x-backend']);
    expect(page.body).toContain(`backend ${page.headers['x-backend']}`);
    const v2 = await get(`http://${w('backend-v2').ip}:15006/`);
    expect(v2.body).toMatch(/^<html><body><h1>It works!/);
    const product = await get(`http://${w('productpage-v1').ip}:15006/api/v1/products/0`);
    const json = JSON.parse(product.body) as {
      details: { author?: string };
      reviews: { reviews?: unknown[] };
    };
    expect(json.details.author).toBe('William Shakespeare');
    expect(json.reviews.reviews).toHaveLength(2);
  });

  it('splits the frontend’s traffic ≈ 80/20 and productpage’s reviews ≈ 50/30/20; reviews v2/v3 call ratings', async () => {
    mesh!.setRate(80);
    const d = await deltasOver(
      mesh!,
      ['frontend', 'productpage-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1'],
      6_000,
    );
    const f = d.get('frontend')!;
    const v1 = f.get('cluster:backend_v1')!;
    const v2 = f.get('cluster:backend_v2')!;
    // ~40 req/s to the frontend for 6 s; the split is random per request (Envoy's weighted_clusters),
    // so allow about 4 standard deviations of a binomial share over ~200 requests.
    expect(v1 + v2).toBeGreaterThan(120);
    expect(v1 / (v1 + v2)).toBeGreaterThan(0.7);
    expect(v1 / (v1 + v2)).toBeLessThan(0.9);

    const p = d.get('productpage-v1')!;
    const details = p.get('cluster:details')!;
    const clusters = ['reviews_v1', 'reviews_v2', 'reviews_v3'];
    // Attempts (upstream_rq_total counts each retry) and retries: productpage retries reviews on 5xx,
    // and reviews v2 fails one request in 20 on purpose (demo-topology.ts), each retried once.
    const reviews = clusters.map((c) => p.get(`cluster:${c}`)!);
    const retried = clusters.map((c) => p.get(`retry:${c}`) ?? 0);
    const reviewsTotal = reviews.reduce((a, b) => a + b, 0);
    const retriesTotal = retried.reduce((a, b) => a + b, 0);
    expect(details).toBeGreaterThan(120);
    // Half of them mirrored to details v2 (runtime_fraction 50 %), counted under the shadow cluster only.
    const mirrored = p.get('cluster:details_v2')! / details;
    expect(mirrored).toBeGreaterThan(0.35);
    expect(mirrored).toBeLessThan(0.65);
    expect(retried[0]).toBe(0);
    expect(retried[2]).toBe(0);
    expect(retried[1]).toBeGreaterThan(0);
    expect(retried[1]! / reviews[1]!).toBeLessThan(0.1);
    // Every product page asks details and reviews once each (counters are read a moment apart).
    expect(Math.abs(reviewsTotal - retriesTotal - details)).toBeLessThanOrEqual(10);
    const shares = reviews.map((n) => n / reviewsTotal);
    [0.5, 0.3, 0.2].forEach((want, i) => {
      expect(Math.abs(shares[i]! - want), `reviews_v${i + 1} share ${shares[i]}`).toBeLessThan(0.13);
    });

    expect(d.get('reviews-v1')!.has('cluster:ratings')).toBe(false);
    const asked = (name: string) => d.get(name)!.get('cluster:ratings')!;
    const refused = (name: string) => d.get(name)!.get('overflow:ratings') ?? 0;
    const fromV2 = asked('reviews-v2');
    const fromV3 = asked('reviews-v3');
    expect(fromV2).toBeGreaterThan(0);
    expect(fromV3).toBeGreaterThan(0);
    // Each reviews v2/v3 request that does not fail on purpose asks ratings once: through the breaker
    // (upstream_rq_total) or refused by it (upstream_rq_pending_overflow, never in upstream_rq_total).
    // Ratings' inbound saw those that went through. Slow ratings requests (one in 10) keep more
    // requests in flight when the counters are read, hence the wider bounds than the lab's.
    const near = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what}: ${a} vs ${b}`);
    near(fromV2 + refused('reviews-v2'), reviews[1]! - retried[1]!, 'reviews v2').toBeLessThanOrEqual(8);
    near(fromV3 + refused('reviews-v3'), reviews[2]!, 'reviews v3').toBeLessThanOrEqual(8);
    near(d.get('ratings-v1')!.get('http:inbound_9080')!, fromV2 + fromV3, 'ratings').toBeLessThanOrEqual(10);

    const stats = await mesh!.loadStats();
    expect(stats.failed).toBe(0);
    expect(stats.sent).toBeGreaterThan(400);
  }, 20_000);

  it('follows setRate: the entry sidecars see the new rate, and nothing at 0', async () => {
    const entry = async (rate: number, ms: number) => {
      mesh!.setRate(rate);
      await sleep(500); // let the previous rate's requests finish
      const d = await deltasOver(mesh!, ['frontend', 'productpage-v1'], ms);
      return {
        frontend: (d.get('frontend')!.get('http:inbound_8080')! * 1000) / ms,
        productpage: (d.get('productpage-v1')!.get('http:inbound_9080')! * 1000) / ms,
      };
    };
    const low = await entry(10, 4_000);
    const high = await entry(60, 4_000);
    // Half of the load goes to each entry point.
    expect(low.frontend).toBeGreaterThan(3.5);
    expect(low.frontend).toBeLessThan(6.5);
    expect(high.frontend).toBeGreaterThan(24);
    expect(high.frontend).toBeLessThan(36);
    expect(high.productpage).toBeGreaterThan(24);
    expect(high.productpage).toBeLessThan(36);
    expect(mesh!.rate).toBe(60);

    const none = await entry(0, 1_500);
    expect(none).toEqual({ frontend: 0, productpage: 0 });
    expect(() => mesh!.setRate(-1)).toThrow(RangeError);
    expect(() => mesh!.setRate(5_000)).toThrow(RangeError);
  }, 20_000);

  it('shifts the frontend’s weights live through the runtime disk layer in the work directory', async () => {
    const fe = w('frontend');
    const prefix = 'routing.traffic_split.backend';
    await writeRuntimeDir(
      fe.runtimeRoot,
      { [`${prefix}.backend_v1`]: '0', [`${prefix}.backend_v2`]: '100' },
      {
        subdirectory: 'envoy',
      },
    );
    await waitUntil(
      'the disk layer to be read',
      async () =>
        (
          JSON.parse((await get(`${fe.adminUrl}/runtime`)).body) as {
            entries: Record<string, { final_value: string }>;
          }
        ).entries[`${prefix}.backend_v2`]?.final_value === '100',
      5_000,
    );
    for (let i = 0; i < 5; i++) expect((await get(`http://${fe.ip}:15006/`)).headers['x-backend']).toBe('v2');
    await writeRuntimeDir(
      fe.runtimeRoot,
      { [`${prefix}.backend_v1`]: '80', [`${prefix}.backend_v2`]: '20' },
      {
        subdirectory: 'envoy',
      },
    );
  });

  it('stops every process and frees every address', async () => {
    const m = mesh!;
    expect(m.pids).toHaveLength(11);
    for (const pid of m.pids) expect(alive(pid)).toBe(true);
    await m.stop();
    await m.stop(); // idempotent
    for (const pid of m.pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    for (const x of m.workloads) {
      for (const port of [x.appPort, x.adminPort, x.inboundPort, ...(x.outbound ? [x.outbound.port] : [])]) {
        expect(await canBind(x.ip, port), `${x.ip}:${port}`).toBe(true);
      }
    }
    mesh = undefined;
  }, 20_000);
});

describe('the demo mesh when its parent dies', () => {
  it('leaves no process behind after a SIGKILL of the process that started it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshscope-demo-orphans-'));
    const script = `
      const { startDemoMesh } = await import(${JSON.stringify(START_DEMO)});
      const mesh = await startDemoMesh({ workDir: ${JSON.stringify(dir)}, ratePerSecond: 20, baseAddress: '127.0.78.' });
      process.stdout.write(JSON.stringify(mesh.pids) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(PINNED_NODE, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pids: number[] = [];
    try {
      pids = await new Promise<number[]>((res, rej) => {
        let out = '';
        parent.stdout.setEncoding('utf8');
        parent.stdout.on('data', (s: string) => {
          out += s;
          if (out.includes('\n')) res(JSON.parse(out) as number[]);
        });
        parent.once('exit', (code) =>
          rej(new Error(`the demo's parent exited (${code}) before starting it`)),
        );
      });
      expect(pids).toHaveLength(11);
      for (const pid of pids) expect(alive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await waitUntil('every demo process to exit', () => pids.every((p) => !alive(p)), 10_000);
      expect(await canBind('127.0.78.10', 9901)).toBe(true);
      expect(await canBind('127.0.78.10', 10000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      // Should the lifelines fail, do not leave the demo running past this test.
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
