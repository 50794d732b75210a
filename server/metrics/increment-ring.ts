// A fixed-capacity ring of timestamped increment vectors (all of one width), oldest overwritten first.
// Increments rather than cumulative totals so that they fit float32: a counter's growth over one
// sample is small even when its total is not (a total past 2^24 would lose units in float32, a 5 s or
// 60 s increment only past 16.7 million). Sums are taken in float64. Times and values live in typed
// arrays allocated once, so a ring costs `capacity × (8 + width × 4)` bytes whatever happens, and
// pushing allocates nothing.

export class IncrementRing {
  readonly capacity: number;
  readonly width: number;
  private readonly times: Float64Array;
  private readonly values: Float32Array;
  /** Physical slot of the next write. */
  private next = 0;
  private count = 0;

  /**
   * With `buffer`, the ring's arrays are views into it from byte `offset` (8-aligned), `bytesFor` bytes:
   * a series keeps all its rings in one buffer, one allocation instead of one per array.
   */
  constructor(capacity: number, width: number, buffer?: ArrayBuffer, offset = 0) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`capacity ${capacity}`);
    this.capacity = capacity;
    this.width = width;
    const b = buffer ?? new ArrayBuffer(IncrementRing.bytesFor(capacity, width));
    this.times = new Float64Array(b, offset, capacity);
    this.values = new Float32Array(b, offset + capacity * 8, capacity * width);
  }

  /** Bytes a ring of this shape takes, rounded up to 8 so rings can follow each other in one buffer. */
  static bytesFor(capacity: number, width: number): number {
    return capacity * 8 + Math.ceil((capacity * width * 4) / 8) * 8;
  }

  get length(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return this.times.byteLength + this.values.byteLength;
  }

  push(time: number, increments: ArrayLike<number>): void {
    const slot = this.next;
    this.times[slot] = time;
    const base = slot * this.width;
    for (let i = 0; i < this.width; i++) this.values[base + i] = increments[i]!;
    this.next = (slot + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  private slot(i: number): number {
    return (this.next - this.count + i + this.capacity) % this.capacity;
  }

  /** Time of the i-th sample, 0 = oldest. */
  timeAt(i: number): number {
    return this.times[this.slot(i)]!;
  }

  /** Adds `sign ×` the increments of samples `from..to` (inclusive, 0 = oldest) to `out`. */
  addRange(from: number, to: number, out: Float64Array, sign: 1 | -1): void {
    const w = this.width;
    for (let i = from; i <= to; i++) {
      const base = this.slot(i) * w;
      for (let k = 0; k < w; k++) out[k]! += sign * this.values[base + k]!;
    }
  }

  /** Index of the oldest sample at or after `time`, or -1 if none. Times must be non-decreasing. */
  firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.count ? lo : -1;
  }

  /** Index of the newest sample at or before `time`, or -1 if none. */
  lastAtOrBefore(time: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
