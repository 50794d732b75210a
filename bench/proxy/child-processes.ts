// Owns every process the benchmark starts, so that all of them end when the harness does: normally,
// on Ctrl-C, or on an error. Each child leads its own process group (detached), and is stopped by
// signalling the group: that reaches nginx's workers too, which outlive a killed master otherwise.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the child has exited (or failed to start). */
  exited: Promise<void>;
  /** Set when the child failed to start (e.g. ENOENT). */
  startError?: Error;
}

export interface StartOptions {
  /** Where stdout and stderr go; ignored when captureOutput is set. */
  logPath?: string;
  /** Pipe stdout and stderr back to the harness (wrk). */
  captureOutput?: boolean;
  env?: NodeJS.ProcessEnv;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export class ProcessRegistry {
  #running = new Set<ManagedProcess>();

  start(name: string, command: string, args: readonly string[], options: StartOptions = {}): ManagedProcess {
    const logFd =
      options.logPath !== undefined && !options.captureOutput ? openSync(options.logPath, 'a') : undefined;
    const output = options.captureOutput ? 'pipe' : (logFd ?? 'ignore');
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', output, output],
      env: options.env ?? process.env,
    });
    if (logFd !== undefined) closeSync(logFd);
    const managed: ManagedProcess = {
      name,
      child,
      exited: new Promise<void>((resolve) => {
        // 'close' rather than 'exit': it comes after the captured stdout has been fully read.
        child.once('close', () => resolve());
        child.once('error', (error) => {
          managed.startError = error;
          resolve();
        });
      }),
    };
    this.#running.add(managed);
    void managed.exited.then(() => this.#running.delete(managed));
    return managed;
  }

  /** SIGTERM to the group, SIGKILL after graceMs, then SIGKILL to whatever is left in the group. */
  async stop(managed: ManagedProcess, graceMs = 3000): Promise<void> {
    const pid = managed.child.pid;
    if (managed.child.exitCode === null && managed.child.signalCode === null) {
      signalGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([managed.exited, timedOut]);
      clearTimeout(timer);
    }
    signalGroup(pid, 'SIGKILL');
    await managed.exited;
    this.#running.delete(managed);
  }

  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.#running].map((managed) => this.stop(managed, graceMs)));
  }

  /** Synchronous last resort for process.on('exit'): SIGKILL every group still registered. */
  killAllNow(): void {
    for (const managed of this.#running) signalGroup(managed.child.pid, 'SIGKILL');
    this.#running.clear();
  }
}
