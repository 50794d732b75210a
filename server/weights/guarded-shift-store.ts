// Guarded shifts' state on disk: one JSON document (`{"shifts": [...]}`) rewritten on every transition
// the way a crash cannot tear it: written to a temporary file in the same directory, fsynced, renamed
// over the old one (rename(2) replaces atomically), and the directory fsynced so the rename itself
// survives a power loss. A reader sees the old document or the new one, never half of either.
// Writes run one at a time in call order; the last one written is the newest state.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type GuardedShift, GuardedShiftSchema } from '../../shared/api/guarded-shift.ts';

export interface LoadedShifts {
  shifts: GuardedShift[];
  /** Entries that did not parse (edited by hand, an older format): skipped, reported. */
  skipped: string[];
}

/** Pure: the shifts in a state file's text. */
export function parseShiftsFile(text: string): LoadedShifts {
  const doc: unknown = JSON.parse(text);
  const list = (doc as { shifts?: unknown } | null)?.shifts;
  if (!Array.isArray(list)) throw new Error('not a guarded shifts file (no "shifts" array)');
  const shifts: GuardedShift[] = [];
  const skipped: string[] = [];
  list.forEach((s, i) => {
    const r = GuardedShiftSchema.safeParse(s);
    if (r.success) shifts.push(r.data);
    else skipped.push(`shift ${i}: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  });
  return { shifts, skipped };
}

export class GuardedShiftStore {
  readonly path: string;
  private tail: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** The stored shifts; none when the file does not exist yet. A file that is not JSON is an error. */
  async load(): Promise<LoadedShifts> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { shifts: [], skipped: [] };
      throw e;
    }
    try {
      return parseShiftsFile(text);
    } catch (e) {
      throw new Error(`${this.path}: ${(e as Error).message}`);
    }
  }

  /** Replaces the stored document; resolves once it is durable. */
  save(shifts: readonly GuardedShift[]): Promise<void> {
    const body = `${JSON.stringify({ shifts }, null, 1)}\n`;
    const run = this.tail.then(() => this.write(body));
    this.tail = run.catch(() => {});
    return run;
  }

  private async write(body: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${++this.seq}.tmp`);
    const h = await open(tmp, 'w', 0o600);
    try {
      await h.writeFile(body);
      await h.sync();
    } catch (e) {
      await h.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await h.close();
    await rename(tmp, this.path);
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } catch {
      // Some file systems refuse fsync on a directory; the rename is still atomic.
    } finally {
      await d.close();
    }
  }
}

/** Beside the mesh's audit log (one per mesh): `audit-<id>.jsonl` → `audit-<id>.guarded-shifts.json`. */
export function shiftsFileFor(auditFile: string): string {
  return join(dirname(auditFile), `${basename(auditFile).replace(/\.jsonl?$/, '')}.guarded-shifts.json`);
}
