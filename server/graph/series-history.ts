// Sparkline history per node and edge (GET /api/nodes/:id/series, /api/edges/:id/series): one point
// per scrape cycle, appended from each built graph.
//
// Layout: one ring of cycle timestamps shared by every id, and per id 8 bytes per cycle at the same
// ring positions: rps as float32 (NaN: the id was absent that cycle, no point), the 5xx ratio as a
// uint16 fraction of 65,535 (never rounded to 0 when non-zero), and p95 as a uint16 log code
// (`1 + round(log2(1 + ms) × 2047)`, 0 for none: ±0.02 % up to 49 days). Points read back with 7
// significant digits for rps, 4 for the ratio and 3 for p95, plenty for a sparkline.
//
// Memory bound: `maxIds × (capacity × 8 B + ~400 B of map entry, buffer and views)` plus the
// `capacity × 8 B` timestamp ring; with the defaults (720 points = 1 h at 5 s, 20,000 ids) at most
// ~123 MB, and ids × 6.2 kB in practice (11,922 ids in the 1,000-sidecar bench: ≈ 73 MB). Ids not seen
// for `expireMs` (1 h) are dropped; past `maxIds`, new ids are not tracked until old ones expire.
import type { Graph, Traffic } from '../../shared/api/graph.ts';
import type { SeriesPoint } from '../../shared/api/series.ts';

export interface SeriesHistoryOptions {
  /** Points kept per id (default 720: one hour of 5 s cycles). */
  capacity?: number;
  /** Drop ids not seen for this long (default 1 h). */
  expireMs?: number;
  /** Track at most this many ids (default 20,000). */
  maxIds?: number;
}

interface Track {
  rps: Float32Array;
  ratio: Uint16Array;
  p95: Uint16Array;
  lastSeen: number;
  /** The cycle (ring sequence number) last written. */
  lastCycle: number;
}

const RATIO_SCALE = 65535;
const LOG_STEPS = 2047;

function encodeRatio(ratio: number): number {
  return ratio > 0 ? Math.max(1, Math.round(Math.min(1, ratio) * RATIO_SCALE)) : 0;
}

function encodeMs(ms: number | undefined): number {
  if (ms === undefined || !(ms >= 0)) return 0;
  return Math.min(65535, 1 + Math.round(Math.log2(1 + ms) * LOG_STEPS));
}

function decodeMs(code: number): number | null {
  return code === 0 ? null : Number((2 ** ((code - 1) / LOG_STEPS) - 1).toPrecision(3));
}

export class SeriesHistory {
  readonly capacity: number;
  private readonly expireMs: number;
  private readonly maxIds: number;
  private readonly times: Float64Array;
  /** Sequence number of the newest cycle (−1 before the first); its ring slot is `cycle % capacity`. */
  private cycle = -1;
  private readonly tracks = new Map<string, Track>();

  constructor(opts: SeriesHistoryOptions = {}) {
    this.capacity = opts.capacity ?? 720;
    this.expireMs = opts.expireMs ?? 3_600_000;
    this.maxIds = opts.maxIds ?? 20_000;
    if (!(this.capacity > 0)) throw new RangeError('capacity must be positive');
    this.times = new Float64Array(this.capacity);
  }

  get size(): number {
    return this.tracks.size;
  }

  /**
   * Appends one point per node and edge of `graph` at `graph.timestamp`. Graphs of several types built
   * in the same cycle (same timestamp) write into that one cycle; an older timestamp is ignored.
   * A node's point describes what it receives, or what it sends when it receives nothing.
   */
  record(graph: Graph): void {
    const now = graph.timestamp;
    const newCycle = this.cycle < 0 || now > this.times[this.cycle % this.capacity]!;
    if (!newCycle && now < this.times[this.cycle % this.capacity]!) return;
    if (newCycle) {
      this.cycle++;
      this.times[this.cycle % this.capacity] = now;
    }
    const slot = this.cycle % this.capacity;
    for (const node of graph.nodes) {
      this.write(node.id, node.inbound.rps > 0 ? node.inbound : node.outbound, now, slot);
    }
    for (const edge of graph.edges) this.write(edge.id, edge.traffic, now, slot);
    if (newCycle) this.sweep(now, slot);
  }

  /** The id's points, oldest first; empty for an unknown id. */
  get(id: string): SeriesPoint[] {
    const track = this.tracks.get(id);
    if (track === undefined) return [];
    const out: SeriesPoint[] = [];
    const n = Math.min(this.cycle + 1, this.capacity);
    for (let k = this.cycle - n + 1; k <= this.cycle; k++) {
      const slot = k % this.capacity;
      const rps = track.rps[slot]!;
      if (Number.isNaN(rps)) continue;
      out.push([
        this.times[slot]!,
        // The float32 read back as the shortest decimal it stands for (7.6, not 7.599999904632568).
        Number(rps.toPrecision(7)),
        Number((track.ratio[slot]! / RATIO_SCALE).toPrecision(4)),
        decodeMs(track.p95[slot]!),
      ]);
    }
    return out;
  }

  private write(id: string, t: Traffic, now: number, slot: number): void {
    let track = this.tracks.get(id);
    if (track === undefined) {
      if (this.tracks.size >= this.maxIds) return;
      const cap = this.capacity;
      const buffer = new ArrayBuffer(cap * 8);
      track = {
        rps: new Float32Array(buffer, 0, cap).fill(Number.NaN),
        ratio: new Uint16Array(buffer, cap * 4, cap),
        p95: new Uint16Array(buffer, cap * 6, cap),
        lastSeen: now,
        lastCycle: -1,
      };
      this.tracks.set(id, track);
    }
    track.rps[slot] = t.rps;
    track.ratio[slot] = t.rps > 0 ? encodeRatio(t.status['5xx'] / t.rps) : 0;
    track.p95[slot] = encodeMs(t.latencyMs?.p95);
    track.lastSeen = now;
    track.lastCycle = this.cycle;
  }

  /** Blanks this cycle's slot of ids absent from it (the ring reuses slots) and drops expired ids. */
  private sweep(now: number, slot: number): void {
    for (const [id, track] of this.tracks) {
      if (track.lastCycle === this.cycle) continue;
      if (now - track.lastSeen > this.expireMs) {
        this.tracks.delete(id);
        continue;
      }
      track.rps[slot] = Number.NaN;
    }
  }
}
