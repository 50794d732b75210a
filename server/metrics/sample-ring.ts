// A fixed-capacity ring of timestamped sample vectors (all of one width), oldest overwritten first.
// Times and values live in two typed arrays allocated once, so a series costs
// `capacity × (width + 1) × 8` bytes whatever happens, and pushing allocates nothing.

export class SampleRing {
  readonly capacity: number;
  readonly width: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  /** Physical slot of the next write. */
  private next = 0;
  private count = 0;

  constructor(capacity: number, width: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`capacity ${capacity}`);
    this.capacity = capacity;
    this.width = width;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity * width);
  }

  get length(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return this.times.byteLength + this.values.byteLength;
  }

  push(time: number, vector: ArrayLike<number>): void {
    const slot = this.next;
    this.times[slot] = time;
    this.values.set(vector as ArrayLike<number> & { length: number }, slot * this.width);
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

  /** A view (not a copy) of the i-th sample's vector, valid until the slot is overwritten. */
  valuesAt(i: number): Float64Array {
    const start = this.slot(i) * this.width;
    return this.values.subarray(start, start + this.width);
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

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}
