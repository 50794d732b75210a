// Sparkline history per node and edge (GET /api/nodes/:id/series, /api/edges/:id/series): one point
// per scrape cycle, appended from each built graph.
//
// Layout: one ring of cycle timestamps shared by every id, and per id one Float32Array holding three
// values per cycle (rps, 5xx ratio, p95 ms) at the same ring positions. Float32 keeps ~7 significant
// digits, plenty for a sparkline. A cycle an id was absent from is NaN and yields no point.
//
// Memory bound: `maxIds × (capacity × 12 B + ~150 B of map entry and array header)` plus the
// `capacity × 8 B` timestamp ring; with the defaults (720 points = 1 h at 5 s, 20,000 ids) at most
// ~176 MB, and in practice ids × 8.8 kB (11,000 ids, the 1,000-sidecar bench, ≈ 97 MB). Ids not seen
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
  values: Float32Array;
  lastSeen: number;
  /** The cycle (ring sequence number) last written. */
  lastCycle: number;
}

const FIELDS = 3;

/** A float32 read back as the shortest decimal it stands for (7.6, not 7.599999904632568). */
function fromFloat32(v: number): number {
  return Number(v.toPrecision(7));
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
    const slot = (this.cycle % this.capacity) * FIELDS;
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
      const base = (k % this.capacity) * FIELDS;
      const rps = track.values[base]!;
      if (Number.isNaN(rps)) continue;
      const p95 = track.values[base + 2]!;
      out.push([
        this.times[k % this.capacity]!,
        fromFloat32(rps),
        fromFloat32(track.values[base + 1]!),
        Number.isNaN(p95) ? null : fromFloat32(p95),
      ]);
    }
    return out;
  }

  private write(id: string, t: Traffic, now: number, slot: number): void {
    let track = this.tracks.get(id);
    if (track === undefined) {
      if (this.tracks.size >= this.maxIds) return;
      track = {
        values: new Float32Array(this.capacity * FIELDS).fill(Number.NaN),
        lastSeen: now,
        lastCycle: -1,
      };
      this.tracks.set(id, track);
    }
    track.values[slot] = t.rps;
    track.values[slot + 1] = t.rps > 0 ? t.status['5xx'] / t.rps : 0;
    track.values[slot + 2] = t.latencyMs?.p95 ?? Number.NaN;
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
      track.values[slot] = Number.NaN;
      track.values[slot + 1] = Number.NaN;
      track.values[slot + 2] = Number.NaN;
    }
  }
}
