// The alert history: every transition, durable in a JSON-lines file (fsync per line, torn tail repaired
// on open: server/storage/json-lines-file.ts) and bounded: once the file holds `max` entries it is
// rewritten atomically with the newest half, so it neither grows without end nor rewrites on every append.

import type { FileHandle } from 'node:fs/promises';
import { type AlertHistoryEntry, AlertHistoryEntrySchema } from '../../shared/api/alerts.ts';
import {
  appendJsonLine,
  type LineParser,
  openForAppend,
  openJsonLines,
  rewriteJsonLines,
} from '../storage/json-lines-file.ts';

export const DEFAULT_HISTORY_MAX = 10_000;

const historyLine: LineParser<AlertHistoryEntry> = (doc) => {
  const r = AlertHistoryEntrySchema.safeParse(doc);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, reason: `not an alert history entry (${r.error.issues[0]?.message ?? 'invalid'})` };
};

export interface AlertHistoryOptions {
  max?: number;
  log?: (msg: string) => void;
}

export class AlertHistory {
  readonly path: string;
  private readonly max: number;
  private entries: AlertHistoryEntry[];
  private handle: FileHandle | undefined;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    path: string,
    max: number,
    entries: AlertHistoryEntry[],
    handle: FileHandle | undefined,
  ) {
    this.path = path;
    this.max = max;
    this.entries = entries.slice(-max);
    this.handle = handle;
  }

  static async open(path: string, opts: AlertHistoryOptions = {}): Promise<AlertHistory> {
    const max = opts.max ?? DEFAULT_HISTORY_MAX;
    if (!(max >= 2)) throw new Error(`alert history size must be at least 2: ${max}`);
    const { entries, handle } = await openJsonLines(path, historyLine, opts.log ?? (() => {}));
    return new AlertHistory(path, max, entries, handle);
  }

  /** Appends transitions in order; resolves once they are on disk. */
  append(entries: readonly AlertHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return this.tail;
    const run = this.tail.then(async () => {
      if (this.closed) throw new Error(`alert history ${this.path} is closed`);
      this.handle ??= await openForAppend(this.path);
      for (const e of entries) {
        await appendJsonLine(this.handle, e);
        this.entries.push(e);
      }
      if (this.entries.length >= this.max) await this.compact();
    });
    this.tail = run.catch(() => {});
    return run;
  }

  private async compact(): Promise<void> {
    const keep = this.entries.slice(-Math.floor(this.max / 2));
    await this.handle?.close();
    this.handle = undefined;
    await rewriteJsonLines(this.path, keep);
    this.entries = keep;
  }

  /** Newest first; optionally one alert's, and at most `limit`. */
  list(opts: { alertId?: string; limit?: number } = {}): AlertHistoryEntry[] {
    const out: AlertHistoryEntry[] = [];
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i]!;
      if (opts.alertId === undefined || e.alertId === opts.alertId) out.push(e);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}
