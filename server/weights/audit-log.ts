// The audit log of weight changes: an append-only JSON-lines file, one AuditEntry per line, each line
// written with a single write(2) and fsynced before the change is reported, so a change the API
// answered is on disk even if the machine loses power right after. The whole log is kept in memory too
// (entries are small and changes are rare): the history, the revert targets and the desired weights
// that reconciliation enforces are read from there.
// The file handling (fsync per line, torn tails repaired on open) is server/storage/json-lines-file.ts.
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { type AuditEntry, AuditEntrySchema } from '../../shared/api/weights.ts';
import {
  appendJsonLine,
  type LineParser,
  openForAppend,
  openJsonLines,
  type ParsedJsonLines,
  parseJsonLines,
} from '../storage/json-lines-file.ts';

export type ParsedAuditLog = ParsedJsonLines<AuditEntry>;

const auditLine: LineParser<AuditEntry> = (doc) => {
  const r = AuditEntrySchema.safeParse(doc);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, reason: `not an audit entry (${r.error.issues[0]?.message ?? 'invalid'})` };
};

/** Pure: the entries of a log file's bytes. */
export function parseAuditLog(bytes: Buffer): ParsedAuditLog {
  return parseJsonLines(bytes, auditLine);
}

/** Time-ordered, unique ids: base-36 epoch ms (fixed width, so they sort as text), then random bits. */
export function newAuditId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;
}

export interface AuditLogOptions {
  /** Told about skipped lines and a dropped torn tail. */
  log?: (msg: string) => void;
}

export class AuditLog {
  readonly path: string;
  private readonly entries: AuditEntry[];
  private readonly byId = new Map<string, AuditEntry>();
  /** Open for appending; undefined until the first append when the file did not exist yet. */
  private handle: FileHandle | undefined;
  private closed = false;
  private tail: Promise<void> = Promise.resolve();

  private constructor(path: string, entries: AuditEntry[], handle: FileHandle | undefined) {
    this.path = path;
    this.entries = entries;
    this.handle = handle;
    for (const e of entries) this.byId.set(e.id, e);
  }

  /**
   * Reads the log and repairs a torn tail. A missing file is created by the first append (a dashboard
   * that never changes weights leaves none behind), but its directory is created and checked for
   * writing now, so a log that cannot be written fails at start rather than at the first change.
   */
  static async open(path: string, opts: AuditLogOptions = {}): Promise<AuditLog> {
    const { entries, handle } = await openJsonLines(path, auditLine, opts.log ?? (() => {}));
    return new AuditLog(path, entries, handle);
  }

  private async appendHandle(): Promise<FileHandle> {
    if (this.closed) throw new Error(`audit log ${this.path} is closed`);
    this.handle ??= await openForAppend(this.path);
    return this.handle;
  }

  /** Appends one entry and fsyncs; appends run one at a time, in call order. */
  append(entry: AuditEntry): Promise<void> {
    const parsed = AuditEntrySchema.safeParse(entry);
    if (!parsed.success) return Promise.reject(new Error(`not an audit entry: ${parsed.error.message}`));
    const checked = parsed.data;
    const run = this.tail.then(async () => {
      await appendJsonLine(await this.appendHandle(), checked);
      this.entries.push(checked);
      this.byId.set(checked.id, checked);
    });
    this.tail = run.catch(() => {});
    return run;
  }

  get(id: string): AuditEntry | undefined {
    return this.byId.get(id);
  }

  /** A route's entries, newest first. */
  history(routeId: string): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.routeId === routeId) out.push(e);
    }
    return out;
  }

  /** The last change of the route that took effect (applied or partial): the weights to keep in place. */
  desired(routeId: string): AuditEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.routeId === routeId && e.outcome !== 'failed') return e;
    }
    return undefined;
  }

  /** Every route with a change that took effect. */
  routesWithDesired(): string[] {
    return [...new Set(this.entries.filter((e) => e.outcome !== 'failed').map((e) => e.routeId))];
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}
