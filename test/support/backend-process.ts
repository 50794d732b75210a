// A backend HTTP server as a real process: backend-server.ts under the pinned Node, which names itself in
// its answers and counts what it served (asked over IPC).
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BackendStats } from './backend-server.ts';
import { isObj } from './proxy-bootstrap-ports.ts';
import { captureOutput, PINNED_NODE, REPO_ROOT, spawnTracked, terminate } from './tracked-processes.ts';

const BACKEND_SCRIPT = join(REPO_ROOT, 'test/support/backend-server.ts');

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
  const proc = spawnTracked(PINNED_NODE, args, ['ignore', 'pipe', 'pipe', 'ipc']);
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
