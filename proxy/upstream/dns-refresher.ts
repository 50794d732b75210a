// Periodic re-resolution of one DNS name, as Envoy's STRICT_DNS `ResolveTarget` and LOGICAL_DNS
// cluster do: resolve at start, then again `dns_refresh_rate` after each answer (success or failure;
// Envoy's failure back-off defaults to the same rate). A small random jitter keeps many clusters from
// resolving in lock step. A resolution that outlasts `timeoutMs` counts as a failure, but the lookup
// itself is not repeated while it is still running: `getaddrinfo` cannot be cancelled and occupies a
// libuv worker, so a dead DNS server must not pile up lookups.
import type { DnsLookupFamily } from './hosts-file.ts';
import type { Resolver } from './resolver.ts';

export interface DnsRefresherOptions {
  name: string;
  family: DnsLookupFamily;
  refreshRateMs: number;
  timeoutMs: number;
  resolver: Resolver;
  random: () => number;
  onAttempt(): void;
  onResolved(addresses: string[]): void;
  onFailed(error: Error): void;
}

export class DnsRefresher {
  /** Settles once the first resolution has completed, successfully or not. */
  readonly firstResolution: Promise<void>;
  private readonly opts: DnsRefresherOptions;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<string[]> | undefined;
  private closed = false;
  private markFirst: () => void = () => {};

  constructor(opts: DnsRefresherOptions) {
    this.opts = opts;
    this.firstResolution = new Promise((resolve) => {
      this.markFirst = resolve;
    });
  }

  start(): void {
    void this.round();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.markFirst();
  }

  private async round(): Promise<void> {
    if (this.closed) return;
    const o = this.opts;
    o.onAttempt();
    try {
      const addresses = await this.withTimeout(this.lookup());
      if (!this.closed) o.onResolved(addresses);
    } catch (e) {
      if (!this.closed) o.onFailed(e instanceof Error ? e : new Error(String(e)));
    }
    this.markFirst();
    if (this.closed) return;
    const jitter = o.random() * Math.min(o.refreshRateMs / 10, 1000);
    this.timer = setTimeout(() => void this.round(), o.refreshRateMs + jitter);
    this.timer.unref();
  }

  private lookup(): Promise<string[]> {
    if (!this.inFlight) {
      const p = this.opts.resolver.resolve(this.opts.name, this.opts.family);
      this.inFlight = p;
      const clear = () => {
        if (this.inFlight === p) this.inFlight = undefined;
      };
      p.then(clear, clear);
    }
    return this.inFlight;
  }

  private withTimeout(p: Promise<string[]>): Promise<string[]> {
    const ms = this.opts.timeoutMs;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`resolution timed out after ${ms} ms`)), ms);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  }
}
