// Scrapes every sidecar the inventory knows, once per cycle (default every 5 s, jittered), with a cap
// on concurrent scrapes and a deadline per scrape.
//
// Why cycles that do not wait for stragglers, rather than one timer per target: the dashboard builds a
// graph per cycle (DashboardCore.onCycle, the SSE `graph` event), and comparing edges (an 80/20 split's
// observed shares, a caller's and a callee's view) is fairest when their samples were taken together.
// A cycle starts on its own clock, whatever the previous one is still doing, and closes as soon as its
// scrapes are done or at its deadline (`timeoutMs` after it started), whichever comes first; a scrape
// still running then (a straggler) reports through `onScrape` and the status when it finishes, and its
// target is skipped by the next cycle instead of being asked twice.
//
// A slow or dead sidecar never delays the others: each scrape has its deadline, targets whose last
// scrape failed ("suspects") queue behind the healthy ones, and suspects may hold at most half of the
// concurrency slots, so however many sidecars hang, the healthy ones always find free slots when a
// cycle starts.

import type { SidecarStatus } from '../../shared/api/sidecars.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import { adminUrl, displayUrl } from '../sources/envoy/admin-client.ts';
import type { InboundHcmPredicate } from '../sources/envoy/downstream-stats.ts';
import { type ScrapedSidecar, type ScrapeOptions, scrapeSidecar } from '../sources/envoy/scrape-sidecar.ts';

export interface CycleSummary {
  cycle: number;
  /** Epoch ms (from `now`). */
  startedAt: number;
  endedAt: number;
  /** Targets the source listed. */
  targets: number;
  /** Scrapes this cycle started (or queued). */
  started: number;
  succeeded: number;
  failed: number;
  /** Scrapes of this cycle still running when it closed; they report when they finish. */
  stragglers: number;
  /** Targets not scraped this cycle because an earlier scrape of theirs is still running or queued. */
  skipped: number;
  /** Targets gone from the source since the previous cycle: their data can be forgotten. */
  removed: string[];
  /** Bytes received by this cycle's finished scrapes. */
  bytes: number;
}

export type ScrapeFunction = (target: SidecarTarget, opts: ScrapeOptions) => Promise<ScrapedSidecar>;

export interface ScraperOptions {
  /** The targets to scrape, read at the start of every cycle. */
  source: () => SidecarTarget[];
  intervalMs?: number;
  concurrency?: number;
  /** Deadline of one scrape; default min(4 s, interval). */
  timeoutMs?: number;
  /** Each cycle starts up to ±jitter × interval from its nominal time (0..0.5, default 0.1). */
  jitter?: number;
  onScrape?: (scrape: ScrapedSidecar) => void;
  onCycle?: (summary: CycleSummary) => void;
  /** Clock for timestamps (epoch ms). */
  now?: () => number;
  /** The scrape itself (tests replace it). */
  scrape?: ScrapeFunction;
  random?: () => number;
  isInboundHcm?: InboundHcmPredicate;
  maxResponseBytes?: number;
}

interface TargetState {
  target: SidecarTarget;
  up: boolean;
  attempted: boolean;
  lastSuccess: number | null;
  lastAttempt: number | null;
  lastDurationMs: number | null;
  lastBytes: number | null;
  lastError: string | null;
  queued: boolean;
  running: Promise<void> | undefined;
  abort: AbortController | undefined;
  /** The last good scrape: its structure stands in when an admin endpoint fails. */
  last: ScrapedSidecar | undefined;
}

interface OpenCycle {
  summary: CycleSummary;
  pending: Set<TargetState>;
  deadline: ReturnType<typeof setTimeout> | undefined;
}

export class Scraper {
  private readonly opts: Required<
    Pick<ScraperOptions, 'intervalMs' | 'concurrency' | 'timeoutMs' | 'jitter' | 'now' | 'scrape' | 'random'>
  > &
    ScraperOptions;
  private readonly states = new Map<string, TargetState>();
  private readonly healthyQueue: TargetState[] = [];
  private readonly suspectQueue: TargetState[] = [];
  /** Which cycle each queued or running scrape belongs to. */
  private readonly cycleOf = new Map<TargetState, OpenCycle>();
  private readonly suspectCap: number;
  private running = 0;
  private runningSuspects = 0;
  private cycleNo = 0;
  private open: OpenCycle | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextAt = 0;
  private stopped = false;
  private started = false;

  constructor(opts: ScraperOptions) {
    const intervalMs = opts.intervalMs ?? 5000;
    const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 16));
    if (!(intervalMs > 0)) throw new Error(`intervalMs must be positive, got ${intervalMs}`);
    this.opts = {
      ...opts,
      intervalMs,
      concurrency,
      timeoutMs: opts.timeoutMs ?? Math.min(4000, intervalMs),
      jitter: Math.min(0.5, Math.max(0, opts.jitter ?? 0.1)),
      now: opts.now ?? Date.now,
      scrape: opts.scrape ?? scrapeSidecar,
      random: opts.random ?? Math.random,
    };
    this.suspectCap = Math.max(1, Math.floor(concurrency / 2));
  }

  /** Starts the first cycle now, then one per interval. */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    this.nextAt = performance.now();
    this.tick();
    return this;
  }

  /** Stops scheduling, aborts running scrapes and waits for them to settle. No callback fires afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.open !== undefined) clearTimeout(this.open.deadline);
    this.open = undefined;
    const running: Promise<void>[] = [];
    for (const s of this.states.values()) {
      s.abort?.abort();
      if (s.running !== undefined) running.push(s.running);
    }
    await Promise.allSettled(running);
  }

  /** Scrape status of every current target, in the source's order. */
  statuses(): SidecarStatus[] {
    return [...this.states.values()].map((s) => ({
      id: s.target.id,
      namespace: s.target.namespace,
      workload: s.target.workload,
      ...(s.target.pod !== undefined && { pod: s.target.pod }),
      kind: s.target.kind,
      adminUrl: displayUrl(adminUrl(s.target.admin, '/')),
      up: s.up,
      lastSuccess: s.lastSuccess,
      lastAttempt: s.lastAttempt,
      lastDurationMs: s.lastDurationMs,
      lastBytes: s.lastBytes,
      lastError: s.lastError,
    }));
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.open !== undefined) this.close(this.open);
    const summary: CycleSummary = {
      cycle: ++this.cycleNo,
      startedAt: this.opts.now(),
      endedAt: 0,
      targets: 0,
      started: 0,
      succeeded: 0,
      failed: 0,
      stragglers: 0,
      skipped: 0,
      removed: [],
      bytes: 0,
    };
    const cycle: OpenCycle = { summary, pending: new Set(), deadline: undefined };
    this.open = cycle;
    this.syncTargets(summary);
    for (const s of this.states.values()) {
      if (s.queued || s.running !== undefined) {
        summary.skipped++;
        continue;
      }
      s.queued = true;
      // Never-scraped targets count as healthy; a target whose last scrape failed waits its turn.
      (s.attempted && !s.up ? this.suspectQueue : this.healthyQueue).push(s);
      this.cycleOf.set(s, cycle);
      cycle.pending.add(s);
      summary.started++;
    }
    this.pump();
    if (cycle.pending.size === 0) this.close(cycle);
    else cycle.deadline = setTimeout(() => this.close(cycle), this.opts.timeoutMs);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const { intervalMs, jitter, random } = this.opts;
    // Fixed rate: the nominal times do not drift with how long cycles take.
    this.nextAt += intervalMs * (1 + jitter * (2 * random() - 1));
    const now = performance.now();
    // After a stall (a suspended laptop, a blocked event loop) skip the missed cycles instead of
    // running them back to back.
    if (this.nextAt < now) this.nextAt = now;
    this.timer = setTimeout(() => this.tick(), this.nextAt - now);
  }

  private syncTargets(summary: CycleSummary): void {
    let targets: SidecarTarget[];
    try {
      targets = this.opts.source();
    } catch {
      // A failing source keeps the targets it gave last time.
      targets = [...this.states.values()].map((s) => s.target);
    }
    summary.targets = targets.length;
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      const s = this.states.get(t.id);
      if (s === undefined) this.states.set(t.id, newState(t));
      else s.target = t; // the admin URL or identity may have changed
    }
    for (const [id, s] of this.states) {
      if (seen.has(id)) continue;
      this.states.delete(id);
      s.abort?.abort();
      this.dequeue(s);
      summary.removed.push(id);
    }
  }

  private dequeue(s: TargetState): void {
    if (!s.queued) return;
    s.queued = false;
    for (const q of [this.healthyQueue, this.suspectQueue]) {
      const i = q.indexOf(s);
      if (i !== -1) q.splice(i, 1);
    }
    const cycle = this.cycleOf.get(s);
    this.cycleOf.delete(s);
    if (cycle !== undefined) {
      cycle.pending.delete(s);
      cycle.summary.started--;
      if (cycle === this.open && cycle.pending.size === 0) this.close(cycle);
    }
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && !this.stopped) {
      let s = this.healthyQueue.shift();
      let suspect = false;
      if (s === undefined && this.runningSuspects < this.suspectCap) {
        s = this.suspectQueue.shift();
        suspect = true;
      }
      if (s === undefined) return;
      this.run(s, suspect);
    }
  }

  private run(s: TargetState, suspect: boolean): void {
    s.queued = false;
    this.running++;
    if (suspect) this.runningSuspects++;
    const abort = new AbortController();
    s.abort = abort;
    s.lastAttempt = this.opts.now();
    const t0 = performance.now();
    const target = s.target;
    const scrapeOpts: ScrapeOptions = {
      timeoutMs: this.opts.timeoutMs,
      signal: abort.signal,
      now: this.opts.now,
      ...(s.last !== undefined && { previous: s.last }),
      ...(this.opts.isInboundHcm !== undefined && { isInboundHcm: this.opts.isInboundHcm }),
      ...(this.opts.maxResponseBytes !== undefined && { maxResponseBytes: this.opts.maxResponseBytes }),
    };
    s.running = this.opts
      .scrape(target, scrapeOpts)
      .then(
        (scrape) => this.finished(s, t0, scrape, undefined),
        (err: unknown) => this.finished(s, t0, undefined, err),
      )
      .finally(() => {
        s.running = undefined;
        s.abort = undefined;
        this.running--;
        if (suspect) this.runningSuspects--;
        this.pump();
      });
  }

  private finished(s: TargetState, t0: number, scrape: ScrapedSidecar | undefined, err: unknown): void {
    // A target removed meanwhile, or a scraper stopped: nobody wants this result.
    if (this.stopped || this.states.get(s.target.id) !== s) return;
    s.attempted = true;
    s.lastDurationMs = performance.now() - t0;
    const cycle = this.cycleOf.get(s);
    this.cycleOf.delete(s);
    if (scrape !== undefined) {
      s.up = true;
      s.lastSuccess = scrape.at;
      s.lastBytes = scrape.bytes;
      // Up, but with endpoints that failed (their previous values were kept).
      s.lastError = scrape.warnings.length > 0 ? scrape.warnings.join('; ') : null;
      s.last = scrape;
    } else {
      s.up = false;
      s.lastError = err instanceof Error ? err.message : String(err);
    }
    if (cycle !== undefined && cycle === this.open) {
      if (scrape !== undefined) {
        cycle.summary.succeeded++;
        cycle.summary.bytes += scrape.bytes;
      } else cycle.summary.failed++;
      cycle.pending.delete(s);
    }
    if (scrape !== undefined) notify('onScrape', () => this.opts.onScrape?.(scrape));
    if (cycle !== undefined && cycle === this.open && cycle.pending.size === 0) this.close(cycle);
  }

  private close(cycle: OpenCycle): void {
    if (this.open !== cycle) return;
    this.open = undefined;
    clearTimeout(cycle.deadline);
    cycle.summary.stragglers = cycle.pending.size;
    cycle.summary.endedAt = this.opts.now();
    notify('onCycle', () => this.opts.onCycle?.(cycle.summary));
  }
}

/** A throwing listener is a bug elsewhere: report it without stopping the scraper's bookkeeping. */
function notify(what: string, call: () => void): void {
  try {
    call();
  } catch (e) {
    console.error(`scraper: ${what} listener threw:`, e);
  }
}

function newState(target: SidecarTarget): TargetState {
  return {
    target,
    up: false,
    attempted: false,
    lastSuccess: null,
    lastAttempt: null,
    lastDurationMs: null,
    lastBytes: null,
    lastError: null,
    queued: false,
    running: undefined,
    abort: undefined,
    last: undefined,
  };
}
