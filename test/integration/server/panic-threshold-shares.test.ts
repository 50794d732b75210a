// The graph's shares follow each cluster's healthy_panic_threshold, end to end: a real proxy with two
// clusters of two hosts each, one host of each failing its health check (1 of 2 healthy), scraped by
// bin/meshscope while paced load runs through both. `never` sets the threshold to 0 (`{}`): the proxy
// sends everything to the healthy host and the graph puts the whole cluster's rate on its workload.
// `always` sets 100: the proxy panics and round-robins over both hosts, and the graph splits the rate
// evenly between the two workloads. The thresholds reach the dashboard only through /config_dump.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Graph, type GraphEdge, GraphSchema } from '../../../shared/api/graph.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { writeLabTargets } from '../../support/lab-targets.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import {
  HC_PATH,
  type HcFailingHost,
  HEALTH_CHECK,
  startHcFailingHost,
} from '../policies/hc-failing-host.ts';
import { bootstrap, eventually, stat, staticCluster } from '../policies/policy-rig.ts';

const RPS = 20;
const FRONTEND = 'workload:default:frontend';

let dir: string;
let neverOk: BackendProcess;
let alwaysOk: BackendProcess;
let neverSick: HcFailingHost;
let alwaysSick: HcFailingHost;
let proxy: ProxyProcess;
let dash: DashboardProcess;
let loads: PacedLoad[] = [];

const graph = () => dash.get('/api/graph?graphType=workload', GraphSchema);
const edgeTo = (g: Graph, workload: string): GraphEdge | undefined =>
  g.edges.find((e) => e.source === FRONTEND && e.target === `workload:default:${workload}`);
const rps = (g: Graph, workload: string) => edgeTo(g, workload)?.traffic.rps ?? 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-panic-shares-'));
  [neverOk, alwaysOk] = await Promise.all([
    startBackend({ name: 'never-ok' }),
    startBackend({ name: 'always-ok' }),
  ]);
  [neverSick, alwaysSick] = await Promise.all([
    startHcFailingHost('never-sick', HC_PATH),
    startHcFailingHost('always-sick', HC_PATH),
  ]);
  const cluster = (name: string, ports: number[], percent: Record<string, number>) =>
    staticCluster(name, ports, {
      health_checks: [HEALTH_CHECK],
      common_lb_config: { healthy_panic_threshold: percent },
    });
  proxy = await startProxy(
    bootstrap(
      ['never', 'always'].map((name) => ({ match: { prefix: `/${name}` }, route: { cluster: name } })),
      [
        cluster('never', [neverOk.port, neverSick.port], {}),
        cluster('always', [alwaysOk.port, alwaysSick.port], { value: 100 }),
      ],
    ),
  );
  for (const name of ['never', 'always']) {
    await eventually(`${name}: the sick host failed its health check`, async () => {
      return (await stat(proxy, `cluster.${name}.membership_healthy`)) === 1;
    });
  }
  const targets = writeLabTargets(dir, proxy.adminUrl, [
    { workload: 'never-ok', app: 'never-ok', port: neverOk.port },
    { workload: 'never-sick', app: 'never-sick', port: neverSick.port },
    { workload: 'always-ok', app: 'always-ok', port: alwaysOk.port },
    { workload: 'always-sick', app: 'always-sick', port: alwaysSick.port },
  ]);
  const base = `http://127.0.0.1:${proxy.listenerPort}`;
  loads = [pacedLoad(`${base}/never`, RPS), pacedLoad(`${base}/always`, RPS)];
  dash = await startDashboard(['--targets', targets, '--scrape-interval', '0.5', '--window', '10']);
}, 30_000);

afterAll(async () => {
  for (const l of loads) l.stop();
  await dash?.stop();
  await stopAll();
  neverSick?.close();
  alwaysSick?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('graph shares and healthy_panic_threshold (bin/meshscope, real proxy)', () => {
  it('threshold 0: the whole cluster on the healthy workload, as the proxy routes it', async () => {
    const g = await until(
      'traffic to never-ok',
      graph,
      (x) => rps(x, 'never-ok') > 0,
      20_000,
      () => dash.stderr,
    );
    expect(edgeTo(g, 'never-sick')).toBeUndefined();
    expect(edgeTo(g, 'never-ok')?.clusters).toEqual(['never']);
    expect(neverSick.served).toBe(0);
  });

  it('threshold 100: the rate split evenly over both workloads, as the panicking proxy routes it', async () => {
    const g = await until(
      'traffic to both always workloads',
      graph,
      (x) => rps(x, 'always-ok') > 0 && rps(x, 'always-sick') > 0,
      20_000,
      () => dash.stderr,
    );
    // Shares come from the hosts' weights (equal), so the two edges carry the same rate.
    expect(rps(g, 'always-sick')).toBeCloseTo(rps(g, 'always-ok'), 6);
    expect(alwaysSick.served).toBeGreaterThan(0);
    expect(await stat(proxy, 'cluster.always.lb_healthy_panic')).toBeGreaterThan(0);
    expect(await stat(proxy, 'cluster.never.lb_healthy_panic')).toBe(0);
  });
});
