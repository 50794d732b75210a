// Envoy-style stats: flat dotted names (`cluster.backend_v1.upstream_rq_total`), three kinds.
// Hot paths look a stat up once and keep the object; incrementing is then a field write.
// Tag extraction (dotted name → Prometheus name + labels) happens only when rendering.

/** Envoy's default histogram buckets (ms), from `HistogramSettingsImpl::defaultBuckets()`. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

export class Counter {
  value = 0;
  /** Set once the counter has been incremented at least once (Envoy's `used` flag, for `usedonly`). */
  used = false;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  inc(by = 1): void {
    this.value += by;
    this.used = true;
  }
}

export class Gauge {
  value = 0;
  used = false;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  set(v: number): void {
    this.value = v;
    this.used = true;
  }
  add(by: number): void {
    this.value += by;
    this.used = true;
  }
  sub(by: number): void {
    this.value -= by;
    this.used = true;
  }
}

export class Histogram {
  /** Non-cumulative count per bucket; `counts[buckets.length]` is the +Inf overflow. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  used = false;
  readonly name: string;
  readonly buckets: readonly number[];
  constructor(name: string, buckets: readonly number[] = DEFAULT_BUCKETS) {
    this.name = name;
    this.buckets = buckets;
    this.counts = new Array<number>(buckets.length + 1).fill(0);
  }
  record(valueMs: number): void {
    const b = this.buckets;
    let i = 0;
    // Linear scan: request times cluster in the first few buckets, so this beats a binary search.
    while (i < b.length && valueMs > b[i]!) i++;
    this.counts[i]!++;
    this.sum += valueMs;
    this.count++;
    this.used = true;
  }
}

export class StatsStore {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, Gauge>();
  readonly histograms = new Map<string, Histogram>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter(name);
      this.counters.set(name, c);
    }
    return c;
  }

  gauge(name: string): Gauge {
    let g = this.gauges.get(name);
    if (!g) {
      g = new Gauge(name);
      this.gauges.set(name, g);
    }
    return g;
  }

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram(name);
      this.histograms.set(name, h);
    }
    return h;
  }

  /** Drop every stat under a prefix (a cluster removed by a config reload). */
  removePrefix(prefix: string): void {
    for (const m of [this.counters, this.gauges, this.histograms] as Map<string, unknown>[]) {
      for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
    }
  }
}
