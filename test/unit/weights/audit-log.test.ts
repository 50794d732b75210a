import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, newAuditId, parseAuditLog } from '../../../server/weights/audit-log.ts';
import type { AuditEntry } from '../../../shared/api/weights.ts';

const entry = (id: string, routeId: string, outcome: AuditEntry['outcome'] = 'applied'): AuditEntry => ({
  id,
  at: 1_700_000_000_000,
  who: 'local',
  routeId,
  from: { v1: 80, v2: 20 },
  to: { v1: 50, v2: 50 },
  outcome,
});
const line = (e: AuditEntry) => `${JSON.stringify(e)}\n`;

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-log-'));
  path = join(dir, 'state', 'audit.jsonl');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('parseAuditLog', () => {
  it('reads complete lines, skips lines that are not entries, and tells a torn tail from a whole one', () => {
    const a = entry('a', 'r1');
    const text = `${line(a)}\n{"not":"an entry"}\nnot json\n${line(entry('b', 'r1'))}{"id":"c","at":`;
    const parsed = parseAuditLog(Buffer.from(text));
    expect(parsed.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(parsed.skipped.map((s) => s.line)).toEqual([3, 4]);
    expect(parsed.tail).toBe('torn');
    expect(parsed.completeBytes).toBe(Buffer.byteLength(text) - '{"id":"c","at":'.length);

    const whole = parseAuditLog(Buffer.from(line(a) + JSON.stringify(entry('d', 'r2'))));
    expect(whole.tail).toBe('entry');
    expect(whole.entries.map((e) => e.id)).toEqual(['a', 'd']);
    expect(parseAuditLog(Buffer.alloc(0))).toEqual({
      entries: [],
      completeBytes: 0,
      tail: 'none',
      skipped: [],
    });
  });
});

describe('AuditLog', () => {
  it('creates the file and its directory, appends fsynced lines, and reads them back after a reopen', async () => {
    const log = await AuditLog.open(path);
    await log.append(entry('a', 'r1'));
    await log.append(entry('b', 'r2'));
    await log.append(entry('c', 'r1', 'failed'));
    expect(log.history('r1').map((e) => e.id)).toEqual(['c', 'a']); // newest first
    expect(log.desired('r1')?.id).toBe('a'); // a failed change is no desired state
    expect(log.routesWithDesired().sort()).toEqual(['r1', 'r2']);
    await log.close();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(4);

    const again = await AuditLog.open(path);
    expect(again.get('b')?.routeId).toBe('r2');
    expect(again.history('r1').map((e) => e.id)).toEqual(['c', 'a']);
    await again.close();
  });

  it('ignores a torn last line (a write cut short) and truncates it, so the next line starts clean', async () => {
    const log = await AuditLog.open(path);
    await log.append(entry('a', 'r1'));
    await log.close();
    await appendFile(path, '{"id":"b","at":17000000'); // the process died mid-write
    const messages: string[] = [];
    const reopened = await AuditLog.open(path, { log: (m) => messages.push(m) });
    expect(reopened.history('r1').map((e) => e.id)).toEqual(['a']);
    expect(messages.join()).toMatch(/torn last line/);
    await reopened.append(entry('c', 'r1'));
    await reopened.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as AuditEntry).id)).toEqual(['a', 'c']);
  });

  it('keeps a last entry that lost only its newline, and ends its line before appending', async () => {
    await writeFile(
      path.replace('state/', ''),
      `${line(entry('a', 'r1'))}${JSON.stringify(entry('b', 'r1'))}`,
    );
    const log = await AuditLog.open(path.replace('state/', ''));
    expect(log.history('r1').map((e) => e.id)).toEqual(['b', 'a']);
    await log.append(entry('c', 'r1'));
    await log.close();
    const reread = await AuditLog.open(path.replace('state/', ''));
    expect(reread.history('r1').map((e) => e.id)).toEqual(['c', 'b', 'a']);
    await reread.close();
  });

  it('refuses an entry that breaks the contract, and writes nothing for it', async () => {
    const log = await AuditLog.open(path);
    await expect(
      log.append({ ...entry('a', 'r1'), outcome: 'done' } as unknown as AuditEntry),
    ).rejects.toThrow();
    await log.close();
    expect(existsSync(path)).toBe(false);
  });

  it('creates the file at the first append only, and refuses appends once closed', async () => {
    const log = await AuditLog.open(path);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, 'state'))).toBe(true);
    await log.append(entry('a', 'r1'));
    expect(parseAuditLog(await readFile(path)).entries.map((e) => e.id)).toEqual(['a']);
    await log.close();
    await expect(log.append(entry('b', 'r1'))).rejects.toThrow(/closed/);
  });

  it('keeps concurrent appends whole and in call order', async () => {
    const log = await AuditLog.open(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry(`e${i}`, 'r1'))));
    await log.close();
    const ids = parseAuditLog(await readFile(path)).entries.map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `e${i}`));
  });
});

it('audit ids sort by time', () => {
  expect(newAuditId(1_000) < newAuditId(2_000)).toBe(true);
  expect(newAuditId(5)).not.toBe(newAuditId(5));
});
