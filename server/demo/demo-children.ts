// The demo's child processes: one `bin/meshscope-proxy` per workload and the apps process. Each writes
// to its own log file in the work directory (nothing reaches the terminal), runs in its own process
// group (a Ctrl-C reaches the demo, which then stops them in order), and holds a lifeline to the demo
// (a stdin pipe for sidecars, the IPC channel for the apps) so that none outlives it, even a SIGKILLed one.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROXY_BIN = resolve(HERE, '../../bin/meshscope-proxy');
const APPS_MAIN = join(HERE, 'demo-apps-main.ts');
const EXIT_WITH_PARENT = pathToFileURL(join(HERE, 'exit-with-parent.ts')).href;

export interface DemoChild {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  /** Settles with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs: number): Promise<void>;
}

function track(name: string, proc: ChildProcess, logPath: string): DemoChild {
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const running = () => proc.exitCode === null && proc.signalCode === null;
  return {
    name,
    proc,
    pid: proc.pid,
    logPath,
    exited,
    running,
    stop: async (graceMs) => {
      if (!running()) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Opens `path` for appending and hands the descriptor to a spawn; the parent's copy is closed after. */
function withLogFile<T>(path: string, f: (fd: number) => T): T {
  const fd = openSync(path, 'a');
  try {
    return f(fd);
  } finally {
    closeSync(fd);
  }
}

export interface SidecarSpawn {
  name: string;
  bootstrapPath: string;
  hostsFile: string;
  logPath: string;
}

export function spawnSidecar(s: SidecarSpawn): DemoChild {
  const nodeOptions = [process.env['NODE_OPTIONS'], `--import=${EXIT_WITH_PARENT}`].filter(Boolean).join(' ');
  const args = ['-c', s.bootstrapPath, '-l', 'warning', '--hosts-file', s.hostsFile, '--drain-time-s', '1'];
  const proc = withLogFile(s.logPath, (fd) =>
    spawn(PROXY_BIN, args, {
      stdio: ['pipe', fd, fd],
      detached: true,
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
    }),
  );
  return track(`sidecar ${s.name}`, proc, s.logPath);
}

export function spawnApps(logPath: string): DemoChild {
  const proc = withLogFile(logPath, (fd) =>
    spawn(process.execPath, [APPS_MAIN], { stdio: ['ignore', fd, fd, 'ipc'], detached: true }),
  );
  return track('apps process', proc, logPath);
}

function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((res) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(0));
  });
}

/** Resolves once `<adminUrl>/ready` answers 200; rejects if the child exits first or the deadline passes. */
export async function waitForReady(child: DemoChild, adminUrl: string, deadline: number): Promise<void> {
  for (;;) {
    if (!child.running()) throw new Error(`${child.name} exited before it was ready (see ${child.logPath})`);
    if ((await getStatus(`${adminUrl}/ready`, 1_000)) === 200) return;
    if (Date.now() > deadline) throw new Error(`${child.name} was not ready in time (see ${child.logPath})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rejects with a message naming the first `ip:port` something else already listens on. */
export async function assertAddressesFree(addresses: readonly { ip: string; port: number }[]): Promise<void> {
  for (const { ip, port } of addresses) {
    await new Promise<void>((res, rej) => {
      const s = net.createServer();
      s.once('error', (e: NodeJS.ErrnoException) =>
        rej(
          new Error(
            `${ip}:${port} is not available (${e.code ?? e.message}): is another demo mesh running? ` +
              'Stop it, or give the demo another base address.',
          ),
        ),
      );
      s.listen({ host: ip, port, exclusive: true }, () => s.close(() => res()));
    });
  }
}
