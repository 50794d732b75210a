// An informer (client-node's ListWatch: list, then watch from the list's resourceVersion) that keeps
// running. ListWatch re-watches by itself after a normal end of the stream, relists after 410 Gone and
// reconnects after 30 s of silence, but after any other failure (a 500 or 403 on the watch, a failed
// list or relist, a reset connection) it emits `error` and stays stopped. We restart it with capped
// exponential back-off. Its `stop()` also emits an `error` (the aborted request), so whether we are
// stopping is our own flag, not the informer's.
import {
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';

export interface ResilientInformerOptions {
  /** ListWatch's own reconnect delay (0, 1, 2, 4 … 30 s by default); tests resolve it at once. */
  delayFn?: (ms: number) => Promise<void>;
  /** Back-off between restarts after the informer gave up; doubled per consecutive failure. */
  restartDelayMs?: { initial: number; max: number };
  /** Told of every failure that stopped the informer (before the restart is scheduled). */
  onError?: (err: unknown) => void;
}

const DEFAULT_RESTART = { initial: 1_000, max: 30_000 };

export class ResilientInformer<T extends KubernetesObject> {
  readonly informer: ListWatch<T>;
  /** Restarts after failures since start(); informative (metrics, tests). */
  restarts = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff: { initial: number; max: number };
  private delayMs: number;
  private lastFailureAt = 0;
  private readonly onError: (err: unknown) => void;

  constructor(kc: KubeConfig, path: string, list: ListPromise<T>, opts: ResilientInformerOptions = {}) {
    this.informer = new ListWatch<T>(path, new Watch(kc), list, false, undefined, undefined, {
      ...(opts.delayFn ? { delayFn: opts.delayFn } : {}),
    });
    this.backoff = opts.restartDelayMs ?? DEFAULT_RESTART;
    this.delayMs = this.backoff.initial;
    this.onError = opts.onError ?? (() => {});
    this.informer.on('error', (err) => this.failed(err));
  }

  list(): readonly T[] {
    return this.informer.list();
  }

  /** Lists and opens the watch (resolves once both were tried; failures are retried in the background). */
  async start(): Promise<void> {
    this.stopped = false;
    this.restarts = 0;
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.informer.stop();
  }

  private failed(err: unknown): void {
    if (this.stopped) return; // the AbortError of our own stop()
    this.onError(err);
    const now = Date.now();
    // A failure long after the previous one starts the back-off again from the beginning.
    if (now - this.lastFailureAt > 2 * this.backoff.max) this.delayMs = this.backoff.initial;
    this.lastFailureAt = now;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.max);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.restarts++;
      // start() keeps the last resourceVersion: it re-watches from there, or relists when it has none.
      this.informer.start().catch((e: unknown) => this.failed(e));
    }, delay);
  }
}
