// The bundled proxy as a real process: `bin/meshscope-proxy` (which runs the pinned Node) started on a
// bootstrap written to a temporary file, with a handle to reach its admin interface, reload it and stop it.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { adminUrlOf, assignPorts, isObj, listenerPortsOf, type Obj } from './proxy-bootstrap-ports.ts';
import { captureOutput, exitCode, REPO_ROOT, spawnTracked, terminate } from './tracked-processes.ts';

/** MESHSCOPE_PROXY_BIN runs the same tests against another build (a branch checkout, a patched copy). */
const PROXY_BIN = process.env['MESHSCOPE_PROXY_BIN'] ?? join(REPO_ROOT, 'bin/meshscope-proxy');

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
  const listenerPorts = listenerPortsOf(doc);
  const adminUrl = adminUrlOf(doc);
  const firstListenerPort = Object.values(listenerPorts)[0] ?? 0;

  const dir = mkdtempSync(join(tmpdir(), 'meshscope-proxy-'));
  const configPath = join(dir, 'envoy.yaml');
  writeFileSync(configPath, text);
  const args = ['-c', configPath, '-l', opts.logLevel ?? 'warning'];
  if (opts.hostsFile) args.push('--hosts-file', opts.hostsFile);
  args.push(...(opts.args ?? []));
  const proc = spawnTracked(PROXY_BIN, args, ['ignore', 'pipe', 'pipe']);
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
