// A token bucket per client: `burst` writes at once, then one every `1 / perSecond` seconds. A write
// refused for want of a token is answered 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3) and
// changes nothing. Pure: the clock is injected.

export interface RateLimit {
  /** How many writes a client may make at once (the bucket's size). */
  burst: number;
  /** Writes per second refilled (the sustained rate). */
  perSecond: number;
}

/** 10 writes in a burst, then 1 a second: 10 writes per 10 s sustained. A person editing, or a script
 * stepping a shift, stays far below; a loop gone wrong is cut off within a second. */
export const DEFAULT_WRITE_RATE: RateLimit = { burst: 10, perSecond: 1 };

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class WriteRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly limit: RateLimit;
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(limit: RateLimit = DEFAULT_WRITE_RATE, now: () => number = Date.now, maxClients = 10_000) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0)) {
      throw new Error(`a rate limit needs burst >= 1 and perSecond > 0, got ${JSON.stringify(limit)}`);
    }
    this.limit = limit;
    this.now = now;
    this.maxClients = maxClients;
  }

  get rate(): RateLimit {
    return this.limit;
  }

  private refilled(key: string): Bucket {
    const t = this.now();
    const b = this.buckets.get(key);
    if (b === undefined) return { tokens: this.limit.burst, at: t };
    const tokens = Math.min(
      this.limit.burst,
      b.tokens + (Math.max(0, t - b.at) / 1000) * this.limit.perSecond,
    );
    return { tokens, at: t };
  }

  /** Takes one write from `key`'s bucket, or says how many whole seconds until one is there. */
  take(key: string): Take {
    const b = this.refilled(key);
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond)) };
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    this.prune();
    return { ok: true };
  }

  /** Gives back a write that changed nothing (refused as invalid or stale), up to the burst. */
  giveBack(key: string): void {
    const b = this.buckets.get(key);
    if (b === undefined) return;
    const r = this.refilled(key);
    this.buckets.set(key, { tokens: Math.min(this.limit.burst, r.tokens + 1), at: r.at });
  }

  /** Clients whose bucket has refilled are as good as new: forgotten once there are too many. */
  private prune(): void {
    if (this.buckets.size <= this.maxClients) return;
    for (const key of [...this.buckets.keys()]) {
      if (this.refilled(key).tokens >= this.limit.burst) this.buckets.delete(key);
    }
  }

  /** Clients being tracked (for tests). */
  get size(): number {
    return this.buckets.size;
  }
}
