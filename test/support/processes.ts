// Real processes for integration tests: the bundled proxy (`bin/meshscope-proxy`, which runs the pinned
// Node) and a backend HTTP server (backend-server.ts under the pinned Node). Every process started here
// is tracked: `stopAll()` ends those still running (call it from `afterAll`), and a `process.on('exit')`
// hook SIGKILLs any left when the test worker exits, so a failed or interrupted run leaks nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { BackendStats } from './backend-server.ts';

export { type RawUpstream, type RawUpstreamConnection, rawUpstream } from './raw-upstream.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The Node the project pins (package.json devDependency "node"); bin/ scripts use it too. */
export const PINNED_NODE = join(ROOT, 'node_modules/.bin/node');
/** MESHSCOPE_PROXY_BIN runs the same tests against another build (a branch checkout, a patched copy). */
const PROXY_BIN = process.env['MESHSCOPE_PROXY_BIN'] ?? join(ROOT, 'bin/meshscope-proxy');
const BACKEND_SCRIPT = join(ROOT, 'test/support/backend-server.ts');
/** Output kept per stream: the tail, enough for an error message without unbounded growth. */
const MAX_OUTPUT = 256 * 1024;

// ---- tracking ----

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
}

function exitCode(proc: ChildProcess): number | null | undefined {
  if (proc.exitCode !== null) return proc.exitCode;
  if (proc.signalCode !== null) return null;
  return undefined; // still running
}

/** Sends `signal`, waits for the exit (SIGKILL after `graceMs`), and returns the exit code (null if killed). */
async function terminate(
  proc: ChildProcess,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<number | null> {
  const done = exitCode(proc);
  if (done !== undefined) return done;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill(signal);
  const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(t);
  }
}

/** Stops every process started by this module that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => terminate(p, 'SIGTERM', 8_000)));
}

function captureOutput(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (s: string) => {
    text += s;
    if (text.length > MAX_OUTPUT) text = text.slice(-MAX_OUTPUT);
  });
  return { text: () => text };
}

// ---- ports ----

const recentlyHanded = new Set<number>();

/**
 * A port that was free a moment ago on 127.0.0.1 (bound to :0, then released). Never the same port twice
 * in one worker, so two calls for one config cannot collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const s = net.createServer();
      s.once('error', rej);
      s.listen({ host: '127.0.0.1', port: 0 }, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => res(p));
      });
    });
    if (!recentlyHanded.has(port)) {
      recentlyHanded.add(port);
      return port;
    }
  }
}

// ---- the proxy ----

export interface StartProxyOptions {
  /** `--hosts-file`: a hosts(5) file for STRICT_DNS names. */
  hostsFile?: string;
  /** More command-line arguments (e.g. ['--drain-time-s', '1']). */
  args?: string[];
  /** `-l`; default "warning" (quiet unless something is wrong). */
  logLevel?: string;
  /** How long to wait for /ready (default 15 s). */
  readyTimeoutMs?: number;
}

export interface ProxyProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** `http://<admin address>:<admin port>` (127.0.0.1 for a wildcard); '' without an admin block. */
  readonly adminUrl: string;
  /** The first listener's port. */
  readonly listenerPort: number;
  /** Every listener's port, by listener name. */
  readonly listenerPorts: Readonly<Record<string, number>>;
  readonly configPath: string;
  /** The bootstrap as written (ports filled in), parsed. */
  readonly config: Record<string, unknown>;
  /** What the proxy wrote to stderr / stdout so far (the last 256 KiB). */
  readonly stderr: string;
  readonly stdout: string;
  /** GET (or POST) on the admin interface. */
  admin(path: string, method?: 'GET' | 'POST'): Promise<{ status: number; body: string }>;
  /** Resident set size from /proc/<pid>/status, in bytes. */
  rssBytes(): number;
  /** Replaces the bootstrap file (the proxy watches it and reloads). */
  writeConfig(config: object | string): void;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (null if it died of a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill(): void;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The `socket_address` object (snake_case or camelCase) inside an `address`, if any. */
function socketAddressOf(holder: unknown): Obj | undefined {
  if (!isObj(holder)) return undefined;
  const address = holder['address'];
  if (!isObj(address)) return undefined;
  const sa = address['socket_address'] ?? address['socketAddress'];
  return isObj(sa) ? sa : undefined;
}

function portKey(sa: Obj): string {
  return 'portValue' in sa ? 'portValue' : 'port_value';
}

function listenersOf(config: Obj): Obj[] {
  const sr = config['static_resources'] ?? config['staticResources'];
  const ls = isObj(sr) ? sr['listeners'] : undefined;
  return Array.isArray(ls) ? ls.filter(isObj) : [];
}

/** Fills port 0 (or a missing port) of listeners and admin with free ports, in place. */
async function assignPorts(config: Obj): Promise<void> {
  const addresses = [...listenersOf(config).map(socketAddressOf), socketAddressOf(config['admin'])];
  for (const sa of addresses) {
    if (!sa) continue;
    const k = portKey(sa);
    if (!sa[k]) sa[k] = await freePort();
  }
}

function portOf(sa: Obj | undefined, what: string): number {
  const p = sa ? Number(sa[portKey(sa)]) : Number.NaN;
  if (!Number.isInteger(p) || p <= 0) {
    throw new Error(
      `${what} has port ${String(p)}: give startProxy an object (port 0 is filled in) or a real port`,
    );
  }
  return p;
}

function httpRequest(
  url: string,
  method: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = http.request(url, { method, agent: false, timeout: timeoutMs }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (s: string) => {
        body += s;
      });
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      r.on('error', rej);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', rej);
    req.end();
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Writes the bootstrap (an object is serialized as YAML; port 0 of listeners and admin becomes a free
 * port) to a temporary directory, starts `bin/meshscope-proxy -c <file> -l warning`, and resolves once
 * the admin `/ready` answers 200 (or, without an admin block, once the first listener accepts).
 */
export async function startProxy(
  config: object | string,
  opts: StartProxyOptions = {},
): Promise<ProxyProcess> {
  let doc: Obj;
  let text: string;
  if (typeof config === 'string') {
    text = config;
    const parsed: unknown = YAML.parse(config);
    if (!isObj(parsed)) throw new Error('startProxy: the bootstrap text is not a YAML mapping');
    doc = parsed;
  } else {
    doc = structuredClone(config) as Obj;
    await assignPorts(doc);
    text = YAML.stringify(doc);
  }
  const listenerPorts: Record<string, number> = {};
  listenersOf(doc).forEach((l, i) => {
    listenerPorts[typeof l['name'] === 'string' ? l['name'] : `listener_${i}`] = portOf(
      socketAddressOf(l),
      `listener ${i}`,
    );
  });
  const adminSa = socketAddressOf(doc['admin']);
  const adminPort = adminSa ? portOf(adminSa, 'admin') : 0;
  // An admin bound to one address (a simulated pod IP such as 127.0.0.7) is reached there; a wildcard
  // bind through loopback.
  const adminAddress = typeof adminSa?.['address'] === 'string' ? adminSa['address'] : '';
  const adminHost = ['', '0.0.0.0', '::'].includes(adminAddress)
    ? '127.0.0.1'
    : adminAddress.includes(':')
      ? `[${adminAddress}]`
      : adminAddress;
  const adminUrl = adminPort ? `http://${adminHost}:${adminPort}` : '';
  const firstListenerPort = Object.values(listenerPorts)[0] ?? 0;

  const dir = mkdtempSync(join(tmpdir(), 'meshscope-proxy-'));
  const configPath = join(dir, 'envoy.yaml');
  writeFileSync(configPath, text);
  const args = ['-c', configPath, '-l', opts.logLevel ?? 'warning'];
  if (opts.hostsFile) args.push('--hosts-file', opts.hostsFile);
  args.push(...(opts.args ?? []));
  const proc = spawn(PROXY_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  track(proc);
  proc.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = captureOutput(proc.stdout);
  const err = captureOutput(proc.stderr);

  const handle: ProxyProcess = {
    proc,
    pid: proc.pid ?? -1,
    adminUrl,
    listenerPort: firstListenerPort,
    listenerPorts,
    configPath,
    config: doc,
    get stderr() {
      return err.text();
    },
    get stdout() {
      return out.text();
    },
    admin: (path, method = 'GET') => {
      if (!adminUrl) return Promise.reject(new Error('this bootstrap has no admin block'));
      return httpRequest(`${adminUrl}${path}`, method, 5_000);
    },
    rssBytes: () => rssOf(proc.pid ?? -1),
    writeConfig: (c) => writeFileSync(configPath, typeof c === 'string' ? c : YAML.stringify(c)),
    stop: (signal = 'SIGTERM') => terminate(proc, signal, 10_000),
    kill: () => {
      proc.kill('SIGKILL');
    },
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  for (;;) {
    const code = exitCode(proc);
    if (code !== undefined) {
      throw new Error(`meshscope-proxy exited (${code}) before it was ready:\n${err.text()}${out.text()}`);
    }
    let ready = false;
    if (adminUrl) {
      ready = await httpRequest(`${adminUrl}/ready`, 'GET', 1_000).then(
        (r) => r.status === 200,
        () => false,
      );
    } else if (firstListenerPort) {
      ready = await canConnect(firstListenerPort);
    }
    if (ready) return handle;
    if (Date.now() > deadline) {
      handle.kill();
      throw new Error(
        `meshscope-proxy not ready after ${opts.readyTimeoutMs ?? 15_000} ms:\n${err.text()}${out.text()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the backend ----

export interface StartBackendOptions {
  /** Sent back as `x-backend` and in bodies; default "v1". */
  name?: string;
  version?: string;
  /** Default 0: the backend binds a free port and reports it. */
  port?: number;
}

export interface BackendProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly stderr: string;
  /** Counters kept by the backend (asked over IPC, so asking opens no connection). */
  stats(): Promise<BackendStats>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill(): void;
}

export type { BackendStats };

/** Starts backend-server.ts under the pinned Node and resolves once it listens. */
export async function startBackend(opts: StartBackendOptions = {}): Promise<BackendProcess> {
  const name = opts.name ?? 'v1';
  const args = [BACKEND_SCRIPT, '--name', name, '--port', String(opts.port ?? 0)];
  if (opts.version) args.push('--version', opts.version);
  const proc = spawn(PINNED_NODE, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], cwd: ROOT });
  track(proc);
  const err = captureOutput(proc.stderr);
  const port = await new Promise<number>((res, rej) => {
    const rl = createInterface({ input: proc.stdout! });
    const t = setTimeout(
      () => rej(new Error(`backend ${name} did not start within 10 s:\n${err.text()}`)),
      10_000,
    );
    rl.once('line', (line) => {
      clearTimeout(t);
      rl.close();
      proc.stdout?.resume(); // keep draining anything printed later
      try {
        res((JSON.parse(line) as { port: number }).port);
      } catch {
        rej(new Error(`backend ${name} printed ${JSON.stringify(line)} instead of its port:\n${err.text()}`));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`backend ${name} exited (${code}) before listening:\n${err.text()}`));
    });
  });
  return {
    proc,
    pid: proc.pid ?? -1,
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    get stderr() {
      return err.text();
    },
    stats: () =>
      new Promise<BackendStats>((res, rej) => {
        const onMsg = (m: unknown) => {
          if (isObj(m) && isObj(m['stats'])) {
            proc.off('message', onMsg);
            clearTimeout(t);
            res(m['stats'] as unknown as BackendStats);
          }
        };
        const t = setTimeout(() => {
          proc.off('message', onMsg);
          rej(new Error(`backend ${name}: no stats within 5 s`));
        }, 5_000);
        proc.on('message', onMsg);
        proc.send('stats');
      }),
    stop: (signal = 'SIGTERM') => terminate(proc, signal, 5_000),
    kill: () => {
      proc.kill('SIGKILL');
    },
  };
}
