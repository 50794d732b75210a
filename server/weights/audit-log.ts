// The audit log of weight changes: an append-only JSON-lines file, one AuditEntry per line, each line
// written with a single write(2) and fsynced before the change is reported, so a change the API
// answered is on disk even if the machine loses power right after. The whole log is kept in memory too
// (entries are small and changes are rare): the history, the revert targets and the desired weights
// that reconciliation enforces are read from there.
//
// A process that dies mid-write leaves a last line without its newline. On open, such a torn tail is
// dropped (the file is truncated back to the last complete line, so the next append starts a clean
// line) unless it happens to be a whole entry missing only its newline, which is kept. A complete
// line that is not an entry (edited by hand, another tool) is skipped and reported, never fatal.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type AuditEntry, AuditEntrySchema } from '../../shared/api/weights.ts';

export interface ParsedAuditLog {
  entries: AuditEntry[];
  /** Byte length of the complete lines (where a torn tail starts). */
  completeBytes: number;
  /** A last line without its newline: `entry` when it parsed anyway, `torn` when it did not. */
  tail: 'none' | 'entry' | 'torn';
  /** Complete lines that are not entries: 1-based line number and why. */
  skipped: { line: number; reason: string }[];
}

function parseLine(line: string): AuditEntry | string {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  const r = AuditEntrySchema.safeParse(doc);
  return r.success ? r.data : `not an audit entry (${r.error.issues[0]?.message ?? 'invalid'})`;
}

/** Pure: the entries of a log file's bytes. */
export function parseAuditLog(bytes: Buffer): ParsedAuditLog {
  const lastNewline = bytes.lastIndexOf(0x0a);
  const completeBytes = lastNewline + 1;
  const entries: AuditEntry[] = [];
  const skipped: ParsedAuditLog['skipped'] = [];
  const lines = bytes.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // after the last newline
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') skipped.push({ line: i + 1, reason: parsed });
    else entries.push(parsed);
  });
  let tail: ParsedAuditLog['tail'] = 'none';
  if (completeBytes < bytes.length) {
    const parsed = parseLine(bytes.subarray(completeBytes).toString('utf8'));
    if (typeof parsed === 'string') tail = 'torn';
    else {
      tail = 'entry';
      entries.push(parsed);
    }
  }
  return { entries, completeBytes, tail, skipped };
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
    const log = opts.log ?? (() => {});
    await mkdir(dirname(path), { recursive: true });
    if (!(await exists(path))) {
      await access(dirname(path), constants.W_OK);
      return new AuditLog(path, [], undefined);
    }
    // `a+`: reads anywhere, and every write goes to the end whatever the position.
    const handle = await open(path, 'a+');
    try {
      const { size } = await handle.stat();
      const bytes = Buffer.alloc(size);
      if (size > 0) await handle.read(bytes, 0, size, 0);
      const parsed = parseAuditLog(bytes);
      for (const s of parsed.skipped) log(`${path}:${s.line}: skipped: ${s.reason}`);
      if (parsed.tail === 'torn') {
        log(
          `${path}: dropped a torn last line (${size - parsed.completeBytes} bytes of an interrupted write)`,
        );
        await handle.truncate(parsed.completeBytes);
        await handle.sync();
      } else if (parsed.tail === 'entry') {
        await handle.appendFile('\n');
        await handle.sync();
      }
      return new AuditLog(path, parsed.entries, handle);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  private async appendHandle(): Promise<FileHandle> {
    if (this.closed) throw new Error(`audit log ${this.path} is closed`);
    if (this.handle === undefined) {
      this.handle = await open(this.path, 'a', 0o600);
      // The new file's name must survive a crash too, not only its content.
      await syncDirectory(dirname(this.path));
    }
    return this.handle;
  }

  /** Appends one entry and fsyncs; appends run one at a time, in call order. */
  append(entry: AuditEntry): Promise<void> {
    const parsed = AuditEntrySchema.safeParse(entry);
    if (!parsed.success) return Promise.reject(new Error(`not an audit entry: ${parsed.error.message}`));
    const checked = parsed.data;
    const line = Buffer.from(`${JSON.stringify(checked)}\n`);
    const run = this.tail.then(async () => {
      const h = await this.appendHandle();
      // One write call per line: a crash leaves at most this line torn, never two lines interleaved.
      await h.appendFile(line);
      await h.sync();
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** fsync of the directory, so a newly created file's name survives a crash too. */
async function syncDirectory(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds its data.
  } finally {
    await d.close();
  }
}
