// The bookkeeping every process helper shares (proxy-process.ts, backend-process.ts): every process
// started through `spawnTracked` is tracked, `stopAll()` ends those still running (call it from
// `afterAll`), and a `process.on('exit')` hook SIGKILLs any left when the test worker exits, so a failed
// or interrupted run leaks nothing.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The Node the project pins (package.json devDependency "node"); bin/ scripts use it too. */
export const PINNED_NODE = join(REPO_ROOT, 'node_modules/.bin/node');
/** Output kept per stream: the tail, enough for an error message without unbounded growth. */
const MAX_OUTPUT = 256 * 1024;

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

/** Spawns `command` in the repository root and tracks it until it exits. */
export function spawnTracked(command: string, args: string[], stdio: StdioOptions): ChildProcess {
  const proc = spawn(command, args, { stdio, cwd: REPO_ROOT });
  track(proc);
  return proc;
}

/** The exit code, null if a signal ended the process, undefined while it still runs. */
export function exitCode(proc: ChildProcess): number | null | undefined {
  if (proc.exitCode !== null) return proc.exitCode;
  if (proc.signalCode !== null) return null;
  return undefined; // still running
}

/** Sends `signal`, waits for the exit (SIGKILL after `graceMs`), and returns the exit code (null if killed). */
export async function terminate(
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

/** Stops every tracked process that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => terminate(p, 'SIGTERM', 8_000)));
}

/** Keeps the tail of what a process writes to `stream`, for error messages and assertions. */
export function captureOutput(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (s: string) => {
    text += s;
    if (text.length > MAX_OUTPUT) text = text.slice(-MAX_OUTPUT);
  });
  return { text: () => text };
}
