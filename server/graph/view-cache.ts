// The graph views the dashboard serves, kept as JSON text between scrape cycles, and which views its
// clients are using. A view is a graph type, a window and a namespace selection. Every request and SSE
// client asking for the same view gets the same string. Texts carry the cycle whose figures they
// show: while a cycle rebuilds, a view not rebuilt yet still answers with the previous cycle's text,
// and once the cycle ends every older text goes (`dropBefore`).
//
// Views in use are what the cycle builds besides its own four (the default window's graph types): a
// view a request asked for in the last KEEP_ASKED_CYCLES cycles, or one an event stream watches. A
// filtered view in use is derived from its full view while the cycle holds that graph (7 ms at 1,000
// sidecars, against ≈ 40–90 ms to read the full graph back from its JSON for a request).
import type { Graph } from '../../shared/api/graph.ts';
import type { GraphRequest } from '../api/dashboard-core.ts';

/**
 * A view asked for is kept this many cycles after the last request for it (a minute at 5 s), and as
 * long as an event stream watches it, so requests for it are answered from the cycle's JSON rather
 * than with a build (≈ 100 ms at 1,000 sidecars: docs/benchmarks.md).
 */
export const KEEP_ASKED_CYCLES = 12;

/**
 * At most this many views are kept besides the cycle's own: 20 full views (5 windows × 4 types) and
 * filters of them. A view asked for beyond that is served on demand, so clients asking for many
 * namespace selections cannot make every cycle derive them all (≈ 7 ms each at 1,000 sidecars).
 */
export const MAX_KEPT_VIEWS = 64;

/** A view that requests or event streams use. */
export interface Interest {
  request: GraphRequest;
  watchers: number;
  /** The cycle it was last asked for in. */
  askedIn: number;
}

/** A graph's JSON, and the cycle whose figures it shows. */
export interface Serialized {
  text: string;
  cycle: number;
}

/** What a cycle builds: full views (the cycle's own first), and the filters derived from each. */
export interface CyclePlan {
  /** `own`: one of the cycle's own views (its graph goes into the sparkline history). */
  views: { key: string; request: GraphRequest; filters: GraphRequest[]; own: boolean }[];
  windows: Set<number | undefined>;
}

export interface ViewKeys {
  /** The cache key of a request (the default window written out is the default's key). */
  key(req: GraphRequest): string;
  /** Whether the cycle builds this view anyway (a full view of the default window). */
  isCycleView(req: GraphRequest): boolean;
}

export class ViewCache {
  private readonly keys: ViewKeys;
  private readonly texts = new Map<string, Serialized>();
  /** Full graphs read back from their JSON, for filters asked for outside the cycle. */
  private readonly parsed = new Map<string, { graph: Graph; cycle: number }>();
  private readonly interest = new Map<string, Interest>();

  constructor(keys: ViewKeys) {
    this.keys = keys;
  }

  text(req: GraphRequest): Serialized | undefined {
    return this.texts.get(this.keys.key(req));
  }

  setText(req: GraphRequest, text: string, cycle: number): void {
    this.texts.set(this.keys.key(req), { text, cycle });
  }

  /** A full graph read back from its text (kept as long as that text). */
  parsedFull(fullRequest: GraphRequest, text: Serialized): Graph {
    const key = this.keys.key(fullRequest);
    let full = this.parsed.get(key);
    if (full === undefined || full.cycle !== text.cycle) {
      full = { graph: JSON.parse(text.text) as Graph, cycle: text.cycle };
      this.parsed.set(key, full);
    }
    return full.graph;
  }

  /** Drops every text (and parsed graph) older than `cycle`: what the cycle did not rebuild. */
  dropBefore(cycle: number): void {
    for (const [key, s] of this.texts) if (s.cycle < cycle) this.texts.delete(key);
    for (const [key, p] of this.parsed) if (p.cycle < cycle) this.parsed.delete(key);
  }

  /** Records that `req` was asked for in `cycle` (and, with `watchers` 1, that a stream watches it). */
  note(req: GraphRequest, cycle: number, watchers = 0): Interest {
    const key = this.keys.key(req);
    let interest = this.interest.get(key);
    if (interest === undefined) {
      interest = { request: req, watchers: 0, askedIn: cycle };
      // The cycle's own views need no interest (they are always built); past the cap, none is kept.
      if (this.keys.isCycleView(req) || this.interest.size >= MAX_KEPT_VIEWS) return interest;
      this.interest.set(key, interest);
    }
    interest.watchers += watchers;
    interest.askedIn = cycle;
    return interest;
  }

  /**
   * What cycle `cycle` builds: `own` (the cycle's views), then every full view in use, each with the
   * filters in use derived from it. Views unused for KEEP_ASKED_CYCLES cycles and unwatched are forgotten.
   */
  plan(cycle: number, own: GraphRequest[]): CyclePlan {
    for (const [key, i] of this.interest) {
      if (i.watchers === 0 && cycle - i.askedIn > KEEP_ASKED_CYCLES) this.interest.delete(key);
    }
    const views = new Map<string, CyclePlan['views'][number]>();
    const viewOf = (request: GraphRequest, isOwn = false) => {
      const key = this.keys.key(request);
      let v = views.get(key);
      if (v === undefined) {
        v = { key, request, filters: [], own: isOwn };
        views.set(key, v);
      }
      return v;
    };
    for (const request of own) viewOf(request, true);
    for (const { request } of this.interest.values()) {
      const full = viewOf({ ...request, namespaces: [] });
      if (request.namespaces.length > 0) full.filters.push(request);
    }
    const list = [...views.values()];
    return { views: list, windows: new Set(list.map((v) => v.request.windowSeconds)) };
  }

  /** Views in use besides the cycle's own, and how many of them a stream watches. */
  stats(): { kept: number; watched: number } {
    let watched = 0;
    for (const i of this.interest.values()) if (i.watchers > 0) watched++;
    return { kept: this.interest.size, watched };
  }
}
