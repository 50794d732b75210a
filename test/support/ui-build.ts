// The dashboard as users run it, for end-to-end tests: `bin/meshscope` as a child process (with the
// demo mesh when asked: its sidecars and apps are the dashboard's children and stop with it), ready once
// /readyz answers 200. Every process started here is SIGKILLed if the test worker exits without
// stopping it, so an interrupted run leaves nothing bound to the demo's addresses.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './processes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MESHSCOPE_BIN = join(ROOT, 'bin/meshscope');
const CLIENT_DIST = join(ROOT, 'client/dist');
/** What the built UI is made from: a change in any of these after the build makes client/dist stale. */
const UI_SOURCES = ['client/src', 'client/index.html', 'client/vite.config.ts', 'shared/api'];

export interface MeshscopeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** stdout and stderr so far (the last 256 KiB), for failure messages. */
  output(): string;
  /** SIGTERM (the dashboard stops its demo mesh too), SIGKILL after 15 s; resolves on exit. */
  stop(): Promise<void>;
}

export interface StartMeshscopeOptions {
  /** Default 60 s: the demo starts nine sidecars and their apps before the first scrape. */
  readyTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Arguments for `meshscope --demo` on its own loopback /24, scraping every second over a 10 s window. */
export function demoArgs(subnet: string): string[] {
  return ['--demo', '--demo-subnet', subnet, '--scrape-interval', '1', '--window', '10'];
}

/**
 * Throws unless client/dist holds a build: the dashboard serves whatever is there. A build older than
 * the UI's sources is only warned about (a test against it tests the previous UI), because a file
 * touched after the build is not always one the UI imports.
 */
export function requireBuiltUi(): void {
  const index = join(CLIENT_DIST, 'index.html');
  if (!existsSync(index)) {
    throw new Error(`the UI is not built (${index} is missing): run \`npm run prepare\` first`);
  }
  const builtAt = statSync(index).mtimeMs;
  const newer = UI_SOURCES.flatMap((p) => filesNewerThan(join(ROOT, p), builtAt));
  if (newer.length > 0) {
    process.stderr.write(
      `warning: the UI build in client/dist is older than ${newer.slice(0, 3).join(', ')}` +
        `${newer.length > 3 ? ` and ${newer.length - 3} more` : ''}; \`npm run prepare\` rebuilds it\n`,
    );
  }
}

function filesNewerThan(path: string, ms: number): string[] {
  if (!existsSync(path)) return [];
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs > ms ? [path.slice(ROOT.length + 1)] : [];
  return readdirSync(path).flatMap((name) => filesNewerThan(join(path, name), ms));
}

/** Starts `bin/meshscope <args> --port <free port> -l warning` and waits for /readyz. */
export async function startMeshscope(
  args: readonly string[],
  opts: StartMeshscopeOptions = {},
): Promise<MeshscopeServer> {
  const port = await freePort();
  const proc = spawn(MESHSCOPE_BIN, [...args, '--port', String(port), '-l', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(proc);
  let out = '';
  const capture = (d: Buffer) => {
    out += d.toString();
    if (out.length > 256 * 1024) out = out.slice(-256 * 1024);
  };
  proc.stdout!.on('data', capture);
  proc.stderr!.on('data', capture);
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const server: MeshscopeServer = {
    url,
    port,
    pid: proc.pid!,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`bin/meshscope ${args.join(' ')} exited before it was ready:\n${out}`);
    }
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `bin/meshscope ${args.join(' ')} was not ready in time (last /readyz: ${status}):\n${out}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

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
