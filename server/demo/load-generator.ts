// The demo's traffic: a steady number of requests per second, spread round-robin over the mesh's entry
// points. Bounded on every side: the rate (at most MAX_RATE), the requests in flight (a slow mesh makes
// it skip, never queue), the catch-up after a stall (none), and the addresses (loopback only).
import http from 'node:http';

export const MAX_RATE = 1000;
const TICK_MS = 50;
const REQUEST_TIMEOUT_MS = 10_000;

export interface LoadTarget {
  host: string;
  port: number;
  path: string;
  /** Sent with each request to this target (a user's `end-user` / `x-user`, say). */
  headers?: Record<string, string>;
}

export interface LoadStats {
  rate: number;
  sent: number;
  /** Answered below 500. */
  ok: number;
  /** Answered 5xx, or no answer at all. */
  failed: number;
  /** Not sent because `maxInFlight` requests were already waiting. */
  skipped: number;
  inFlight: number;
  lastError: string | undefined;
}

/** The rate as given, or a RangeError saying what is allowed. */
export function checkRate(rps: number): number {
  if (!Number.isFinite(rps) || rps < 0 || rps > MAX_RATE) {
    throw new RangeError(`rate must be between 0 and ${MAX_RATE} requests per second, got ${rps}`);
  }
  return rps;
}

/**
 * Pure: what one tick sends. Credit accrues at `rate` per second, capped at a quarter second's worth so
 * a stalled event loop does not fire a burst afterwards; what does not fit in `room` is skipped, not kept.
 */
export function dueRequests(
  credit: number,
  rate: number,
  elapsedMs: number,
  room: number,
): { send: number; skipped: number; credit: number } {
  const c = Math.min(credit + (rate * elapsedMs) / 1000, Math.max(1, rate / 4));
  // The epsilon keeps sums of fractions (0.35 × 20 = 6.999…) from losing a request to rounding.
  const due = Math.floor(c + 1e-9);
  const send = Math.max(0, Math.min(due, room));
  return { send, skipped: due - send, credit: c - due };
}

export class LoadGenerator {
  private readonly targets: readonly LoadTarget[];
  private readonly maxInFlight: number;
  private readonly agent: http.Agent;
  private rate = 0;
  private credit = 0;
  private next = 0;
  private lastTick = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stats: Omit<LoadStats, 'rate'> = {
    sent: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    inFlight: 0,
    lastError: undefined,
  };

  constructor(targets: readonly LoadTarget[], opts: { maxInFlight?: number } = {}) {
    for (const t of targets) {
      // The workplace allows generated traffic to this machine's loopback only.
      if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(t.host)) {
        throw new RangeError(`load target ${t.host} is not a loopback IPv4 address`);
      }
    }
    if (targets.length === 0) throw new RangeError('the load generator needs at least one target');
    this.targets = targets;
    this.maxInFlight = opts.maxInFlight ?? 64;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxInFlight });
  }

  setRate(rps: number): void {
    this.rate = checkRate(rps);
    if (this.rate > 0 && !this.timer) {
      this.lastTick = performance.now();
      this.timer = setInterval(() => this.tick(), TICK_MS);
    } else if (this.rate === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.credit = 0;
    }
  }

  snapshot(): LoadStats {
    return { rate: this.rate, ...this.stats };
  }

  /** Stops sending; requests in flight are abandoned. */
  stop(): void {
    this.setRate(0);
    this.agent.destroy();
  }

  private tick(): void {
    const now = performance.now();
    const r = dueRequests(
      this.credit,
      this.rate,
      now - this.lastTick,
      this.maxInFlight - this.stats.inFlight,
    );
    this.lastTick = now;
    this.credit = r.credit;
    this.stats.skipped += r.skipped;
    for (let i = 0; i < r.send; i++) this.send(this.targets[this.next++ % this.targets.length]!);
  }

  private send(t: LoadTarget): void {
    this.stats.sent++;
    this.stats.inFlight++;
    let settled = false;
    const settle = (ok: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      this.stats.inFlight--;
      if (ok) this.stats.ok++;
      else {
        this.stats.failed++;
        this.stats.lastError = error;
      }
    };
    const req = http.request(
      {
        host: t.host,
        port: t.port,
        path: t.path,
        agent: this.agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { ...t.headers, 'user-agent': 'meshscope-demo-load' },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          settle((res.statusCode ?? 0) < 500, `${t.host}:${t.port}${t.path}: ${res.statusCode}`),
        );
        res.on('error', (e) => settle(false, e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (e) => settle(false, `${t.host}:${t.port}${t.path}: ${e.message}`));
    req.end();
  }
}
