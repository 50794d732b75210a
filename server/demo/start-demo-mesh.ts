// `meshscope --demo`: a local mesh on loopback with no cluster. Every workload owns a loopback IP with
// its app and a real sidecar (`bin/meshscope-proxy`) bound to it; a load generator drives traffic
// through the sidecars. The demo's only link to the dashboard is the targets file it writes: the
// dashboard discovers the mesh exactly as it discovers a real one.
//
// Files in `workDir`: targets.yaml, hosts (Service names for STRICT_DNS), sidecars/<workload>.yaml
// (bootstraps), runtime/<workload>/current (each sidecar's runtime disk layer), logs/<process>.log.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeRuntimeDir } from '../../proxy/runtime/runtime-dir.ts';
import type { FromApps, ToApps } from './demo-apps-protocol.ts';
import { isFromApps } from './demo-apps-protocol.ts';
import {
  assertAddressesFree,
  type DemoChild,
  spawnApps,
  spawnSidecar,
  waitForReady,
} from './demo-children.ts';
import { adminUrl, demoHostsFile, demoTargetsFile, demoTargetsYaml } from './demo-targets.ts';
import {
  DEFAULT_PORTS,
  type DemoPorts,
  type DemoWorkload,
  demoServices,
  demoTopology,
  workloadNamed,
} from './demo-topology.ts';
import { checkRate, type LoadStats, type LoadTarget } from './load-generator.ts';
import { RUNTIME_SUBDIRECTORY, runtimeWeights, sidecarBootstrap } from './sidecar-bootstrap.ts';

export interface DemoMeshOptions {
  /** Where the demo writes its files (created if missing). */
  workDir: string;
  /** Requests per second of the load generator, spread over the entry points; default 20. */
  ratePerSecond?: number;
  /** Progress and problems; the demo prints nothing itself. */
  log?: (msg: string) => void;
  /** The first three octets, with the trailing dot; default "127.0.0." (any of 127.0.0.0/8 works on Linux). */
  baseAddress?: string;
  /** Last octet of the first workload's address; default 10 (then .11, .12, …). */
  firstHost?: number;
  /** Listener and admin ports, the same on every workload's IP. */
  ports?: Partial<DemoPorts>;
  /** How long startup may take before it is abandoned; default 30 s. */
  readyTimeoutMs?: number;
  /**
   * The labs' traffic policies and the apps' misbehaviour they act on (demo-topology.ts); default true.
   * With false every sidecar runs plain clusters and routes and every app answers at once: a quiet
   * mesh, for tests that need every alert rule quiet (a one-connection breaker is always at capacity).
   */
  policies?: boolean;
}

export interface DemoMeshWorkload extends DemoWorkload {
  adminUrl: string;
  sidecarPid: number;
  bootstrapPath: string;
  /** The disk layer's `symlink_root`; values live in its `envoy` subdirectory. */
  runtimeRoot: string;
  logPath: string;
}

export interface DemoMesh {
  readonly targetsPath: string;
  readonly workloads: readonly DemoMeshWorkload[];
  /** Every child process (sidecars and the apps process). */
  readonly pids: readonly number[];
  /** The load generator's current rate. */
  readonly rate: number;
  /** Changes the load; a RangeError for a rate outside 0..1000. */
  setRate(rps: number): void;
  /** The load generator's counters. */
  loadStats(): Promise<LoadStats>;
  /** Stops the load, then every child process; resolves once all are gone. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_RATE = 20;
const STOP_GRACE_MS = 5_000;

/** Bookinfo's users, one product page request each in turn: jason's are the ones the fault delays. */
export const DEMO_USERS = ['alice', 'diego', 'jason', 'aline', 'bob'] as const;

/**
 * Where the load enters the mesh: the lab's frontend and bookinfo's product page, at their sidecars,
 * in turn. Product pages are asked for by the users in turn (`x-user` for the consistent hash, and
 * `end-user` as bookinfo's login sets it).
 */
function entryPoints(workloads: readonly DemoWorkload[]): LoadTarget[] {
  const frontend = workloadNamed(workloads, 'frontend');
  const productpage = workloadNamed(workloads, 'productpage-v1');
  return DEMO_USERS.flatMap((user) => [
    { host: frontend.ip, port: frontend.inboundPort, path: '/' },
    {
      host: productpage.ip,
      port: productpage.inboundPort,
      path: '/productpage',
      headers: { 'end-user': user, 'x-user': user },
    },
  ]);
}

function addressesOf(workloads: readonly DemoWorkload[]): { ip: string; port: number }[] {
  return workloads.flatMap((w) => [
    { ip: w.ip, port: w.appPort },
    { ip: w.ip, port: w.adminPort },
    { ip: w.ip, port: w.inboundPort },
    ...(w.outbound ? [{ ip: w.ip, port: w.outbound.port }] : []),
  ]);
}

function awaitAppsMessage<T extends FromApps['type']>(
  apps: DemoChild,
  type: T,
  match: (m: Extract<FromApps, { type: T }>) => boolean,
  timeoutMs: number,
): Promise<Extract<FromApps, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      apps.proc.off('message', onMessage);
      apps.proc.off('exit', onExit);
    };
    const onMessage = (m: unknown) => {
      if (!isFromApps(m)) return;
      if (m.type === 'error' && type === 'ready') {
        done();
        reject(new Error(`demo apps: ${m.message}`));
      } else if (m.type === type && match(m as Extract<FromApps, { type: T }>)) {
        done();
        resolve(m as Extract<FromApps, { type: T }>);
      }
    };
    const onExit = () => {
      done();
      reject(new Error(`the demo apps process exited (see ${apps.logPath})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the demo apps process did not answer '${type}' in time (see ${apps.logPath})`));
    }, timeoutMs);
    apps.proc.on('message', onMessage);
    apps.proc.once('exit', onExit);
  });
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  // The dashboard watches this file: it must never see half of it.
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export async function startDemoMesh(opts: DemoMeshOptions): Promise<DemoMesh> {
  const log = opts.log ?? (() => {});
  let rate = checkRate(opts.ratePerSecond ?? DEFAULT_RATE);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  const topology = demoTopology({
    baseAddress: opts.baseAddress ?? '127.0.0.',
    firstHost: opts.firstHost ?? 10,
    ports: { ...DEFAULT_PORTS, ...opts.ports },
    policies: opts.policies ?? true,
  });
  const services = demoServices(topology);
  const dir = opts.workDir;
  const hostsPath = join(dir, 'hosts');
  const targetsPath = join(dir, 'targets.yaml');
  await assertAddressesFree(addressesOf(topology));
  await Promise.all(['sidecars', 'logs', 'runtime'].map((d) => mkdir(join(dir, d), { recursive: true })));

  await writeFile(hostsPath, demoHostsFile(topology, services));
  const workloads: Omit<DemoMeshWorkload, 'sidecarPid'>[] = [];
  for (const w of topology) {
    const runtimeRoot = join(dir, 'runtime', w.name, 'current');
    const bootstrapPath = join(dir, 'sidecars', `${w.name}.yaml`);
    await mkdir(join(dir, 'runtime', w.name), { recursive: true });
    // The configured weights start out on disk too, where a dashboard persists the weights it shifts.
    await writeRuntimeDir(runtimeRoot, runtimeWeights(w), { subdirectory: RUNTIME_SUBDIRECTORY });
    await writeFile(bootstrapPath, stringify(sidecarBootstrap(w, topology, { runtimeRoot })));
    workloads.push({
      ...w,
      adminUrl: adminUrl(w),
      bootstrapPath,
      runtimeRoot,
      logPath: join(dir, 'logs', `${w.name}.log`),
    });
  }

  const children: DemoChild[] = [];
  const apps = spawnApps(join(dir, 'logs', 'apps.log'));
  children.push(apps);
  const send = (m: ToApps) => {
    if (apps.proc.connected) apps.proc.send(m);
  };
  let stopping: Promise<void> | undefined;
  // A last resort if the caller exits without stop(): the children have lifelines of their own, but
  // a SIGKILL here saves them the wait.
  const killAll = () => {
    for (const c of children) if (c.running()) c.proc.kill('SIGKILL');
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      send({ type: 'rate', rps: 0 });
      await Promise.all(children.map((c) => c.stop(STOP_GRACE_MS)));
      process.off('exit', killAll);
      log('demo mesh stopped');
    })();
    return stopping;
  };

  process.on('exit', killAll);
  let sidecarPids: number[];
  try {
    const appsReady = awaitAppsMessage(apps, 'ready', () => true, Math.max(0, deadline - Date.now()));
    send({ type: 'start', workloads: topology, load: entryPoints(topology) });
    const sidecars = workloads.map((w) => {
      const c = spawnSidecar({
        name: w.name,
        bootstrapPath: w.bootstrapPath,
        hostsFile: hostsPath,
        logPath: w.logPath,
      });
      c.proc.stdin?.on('error', () => {}); // the lifeline is never written to
      children.push(c);
      return c;
    });
    sidecarPids = sidecars.map((c) => c.pid);
    await Promise.all([
      appsReady,
      ...sidecars.map((c, i) => waitForReady(c, workloads[i]!.adminUrl, deadline)),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }

  for (const c of children) {
    void c.exited.then((code) => {
      if (!stopping) log(`demo ${c.name} exited unexpectedly (${code ?? 'signal'}); see ${c.logPath}`);
    });
  }
  apps.proc.on('message', (m: unknown) => {
    if (isFromApps(m) && m.type === 'error') log(`demo apps: ${m.message}`);
  });

  await writeFileAtomically(targetsPath, demoTargetsYaml(demoTargetsFile(topology, services)));
  send({ type: 'rate', rps: rate });
  const first = topology[0]!.ip;
  const lastIp = topology.at(-1)!.ip;
  log(
    `demo mesh: ${topology.length} workloads on ${first}–${lastIp}, load ${rate} req/s; targets in ${targetsPath}`,
  );

  let statsId = 0;
  return {
    targetsPath,
    workloads: workloads.map((w, i) => ({ ...w, sidecarPid: sidecarPids[i]! })),
    pids: children.map((c) => c.pid),
    get rate() {
      return rate;
    },
    setRate(rps: number) {
      rate = checkRate(rps);
      send({ type: 'rate', rps: rate });
    },
    loadStats() {
      const id = ++statsId;
      const reply = awaitAppsMessage(apps, 'stats', (m) => m.id === id, 5_000);
      send({ type: 'stats', id });
      return reply.then((m) => m.stats);
    },
    stop,
  };
}
