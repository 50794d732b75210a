// The three clocks on a request, behind one Node timer (armed at the earliest deadline, so a plain
// request costs one setTimeout as before):
// - the route `timeout` (Envoy: from the end of the downstream request until the response is complete;
//   504 UT and `upstream_rq_timeout`),
// - the retry policy's `per_try_timeout` (one attempt, until its response starts downstream),
// - the stream idle timeout (route `idle_timeout`, else the HCM's `stream_idle_timeout`): no byte in
//   either direction for that long.
// Activity only stamps a time; the timer re-arms itself when it fires early.

export type DeadlineKind = 'global' | 'per-try' | 'idle';

const NONE = Number.POSITIVE_INFINITY;

export class ExchangeDeadlines {
  private readonly onExpire: (kind: DeadlineKind) => void;
  private timer: NodeJS.Timeout | undefined;
  private armedAt = NONE;
  private global = NONE;
  private perTry = NONE;
  private idleMs = 0;
  private lastActivity = 0;

  constructor(onExpire: (kind: DeadlineKind) => void) {
    this.onExpire = onExpire;
  }

  /** Starts the stream idle timeout (0 disables it). */
  startIdle(ms: number): void {
    if (ms <= 0) return;
    this.idleMs = ms;
    this.lastActivity = performance.now();
    this.arm();
  }

  /** Bytes moved on the stream: the idle clock restarts. */
  touch(): void {
    if (this.idleMs > 0) this.lastActivity = performance.now();
  }

  startGlobal(ms: number): void {
    if (ms <= 0 || this.global !== NONE) return;
    this.global = performance.now() + ms;
    this.arm();
  }

  startPerTry(ms: number): void {
    this.perTry = performance.now() + ms;
    this.arm();
  }

  clearGlobal(): void {
    this.global = NONE;
  }

  clearPerTry(): void {
    this.perTry = NONE;
  }

  clearAll(): void {
    this.global = NONE;
    this.perTry = NONE;
    this.idleMs = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = NONE;
  }

  private next(): number {
    const idle = this.idleMs > 0 ? this.lastActivity + this.idleMs : NONE;
    return Math.min(this.global, this.perTry, idle);
  }

  private arm(): void {
    const at = this.next();
    if (at === NONE || at >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(at - performance.now())));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = NONE;
    const now = performance.now();
    // Timers may fire a little early; a 1 ms slack avoids re-arming for a sub-millisecond remainder.
    if (this.global <= now + 1) {
      this.global = NONE;
      this.onExpire('global');
      return;
    }
    if (this.perTry <= now + 1) {
      this.perTry = NONE;
      this.onExpire('per-try');
      this.arm();
      return;
    }
    if (this.idleMs > 0 && this.lastActivity + this.idleMs <= now + 1) {
      this.idleMs = 0;
      this.onExpire('idle');
      return;
    }
    this.arm();
  }
}
