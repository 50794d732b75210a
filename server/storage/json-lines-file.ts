// Durable JSON-lines files (the weights audit log, the alert history): one record per line, each line
// written with a single write(2) and fsynced before the append resolves, so a record reported as saved
// is on disk even if the machine loses power right after.
//
// A process that dies mid-write leaves a last line without its newline. On open, such a torn tail is
// dropped (the file is truncated back to the last complete line, so the next append starts a clean
// line) unless it happens to be a whole record missing only its newline, which is kept. A complete
// line that is not a record (edited by hand, another tool) is skipped and reported, never fatal.
import { constants } from 'node:fs';
import { access, type FileHandle, mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A record of the line's JSON, or why it is not one. */
export type LineParser<T> = (doc: unknown) => { ok: true; value: T } | { ok: false; reason: string };

export interface ParsedJsonLines<T> {
  entries: T[];
  /** Byte length of the complete lines (where a torn tail starts). */
  completeBytes: number;
  /** A last line without its newline: `entry` when it parsed anyway, `torn` when it did not. */
  tail: 'none' | 'entry' | 'torn';
  /** Complete lines that are not records: 1-based line number and why. */
  skipped: { line: number; reason: string }[];
}

function parseLine<T>(line: string, parse: LineParser<T>): T | string {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  const r = parse(doc);
  return r.ok ? r.value : r.reason;
}

/** Pure: the records of a file's bytes. */
export function parseJsonLines<T>(bytes: Buffer, parse: LineParser<T>): ParsedJsonLines<T> {
  const lastNewline = bytes.lastIndexOf(0x0a);
  const completeBytes = lastNewline + 1;
  const entries: T[] = [];
  const skipped: ParsedJsonLines<T>['skipped'] = [];
  const lines = bytes.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // after the last newline
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseLine(line, parse);
    if (typeof parsed === 'string') skipped.push({ line: i + 1, reason: parsed });
    else entries.push(parsed);
  });
  let tail: ParsedJsonLines<T>['tail'] = 'none';
  if (completeBytes < bytes.length) {
    const parsed = parseLine(bytes.subarray(completeBytes).toString('utf8'), parse);
    if (typeof parsed === 'string') tail = 'torn';
    else {
      tail = 'entry';
      entries.push(parsed);
    }
  }
  return { entries, completeBytes, tail, skipped };
}

export interface OpenedJsonLines<T> {
  entries: T[];
  /** Open for appending (`a+`); undefined when the file does not exist yet. */
  handle: FileHandle | undefined;
}

/**
 * Reads the file and repairs a torn tail. A missing file is left to the first append, but its
 * directory is created and checked for writing now, so a file that cannot be written fails at start.
 */
export async function openJsonLines<T>(
  path: string,
  parse: LineParser<T>,
  log: (msg: string) => void,
): Promise<OpenedJsonLines<T>> {
  await mkdir(dirname(path), { recursive: true });
  if (!(await exists(path))) {
    await access(dirname(path), constants.W_OK);
    return { entries: [], handle: undefined };
  }
  // `a+`: reads anywhere, and every write goes to the end whatever the position.
  const handle = await open(path, 'a+');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(size);
    if (size > 0) await handle.read(bytes, 0, size, 0);
    const parsed = parseJsonLines(bytes, parse);
    for (const s of parsed.skipped) log(`${path}:${s.line}: skipped: ${s.reason}`);
    if (parsed.tail === 'torn') {
      log(`${path}: dropped a torn last line (${size - parsed.completeBytes} bytes of an interrupted write)`);
      await handle.truncate(parsed.completeBytes);
      await handle.sync();
    } else if (parsed.tail === 'entry') {
      await handle.appendFile('\n');
      await handle.sync();
    }
    return { entries: parsed.entries, handle };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Opens (creating) the file for appending; a new file's name is fsynced into its directory. */
export async function openForAppend(path: string): Promise<FileHandle> {
  const h = await open(path, 'a', 0o600);
  await syncDirectory(dirname(path));
  return h;
}

/** One line, one write call (a crash leaves at most this line torn, never two interleaved), then fsync. */
export async function appendJsonLine(handle: FileHandle, record: unknown): Promise<void> {
  await handle.appendFile(Buffer.from(`${JSON.stringify(record)}\n`));
  await handle.sync();
}

/**
 * Replaces the file's content with `records` atomically: written to a temporary file, fsynced, renamed
 * over the original and the directory fsynced, so a crash leaves either the old file or the new one.
 */
export async function rewriteJsonLines(path: string, records: readonly unknown[]): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const h = await open(tmp, 'w', 0o600);
  try {
    await h.writeFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
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

/** fsync of the directory, so a newly created or renamed file's name survives a crash too. */
export async function syncDirectory(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds its data.
  } finally {
    await d.close();
  }
}
