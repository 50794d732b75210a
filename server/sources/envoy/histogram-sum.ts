// Adds up cumulative histogram series that share bucket bounds (one per cluster and extra tag set, or
// one per Istio response code), the way `sum by (le) (...)` would in PromQL: bucket counts are added
// bound by bound, so the result is again a cumulative histogram.
import type { Labels, Sample } from '../../metrics/prom-exposition.ts';
import { parsePromFloat } from '../../metrics/prom-number.ts';

/** A cumulative histogram: ascending upper bounds (ms for Envoy and Istio), +Inf last when written. */
export interface CumulativeHistogram {
  le: number[];
  counts: number[];
  sum: number;
  count: number;
}

export class HistogramSum {
  private readonly byLe = new Map<number, number>();
  private sum = 0;
  private count = 0;
  private hasCount = false;

  /** Adds one `_bucket`, `_sum` or `_count` sample, told apart by its name's suffix. */
  add(sample: Sample): void {
    const name = sample.name;
    if (name.endsWith('_bucket')) this.addBucket(sample.labels, sample.value);
    else if (name.endsWith('_sum')) this.sum += sample.value;
    else if (name.endsWith('_count')) {
      this.count += sample.value;
      this.hasCount = true;
    }
  }

  private addBucket(labels: Labels, value: number): void {
    const text = labels['le'];
    if (text === undefined) return;
    const le = parsePromFloat(text, 0, text.length);
    if (le === undefined || Number.isNaN(le)) return;
    this.byLe.set(le, (this.byLe.get(le) ?? 0) + value);
  }

  result(): CumulativeHistogram | undefined {
    if (this.byLe.size === 0) return undefined;
    const le = [...this.byLe.keys()].sort((a, b) => a - b);
    const counts = le.map((b) => this.byLe.get(b)!);
    const last = le[le.length - 1];
    // `_count` equals the +Inf bucket in Envoy's output; fall back to it when `_count` is missing.
    const count =
      this.hasCount || last !== Number.POSITIVE_INFINITY ? this.count : counts[counts.length - 1]!;
    return { le, counts, sum: this.sum, count };
  }
}
