import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertHistory } from '../../../server/alerts/alert-history.ts';
import type { AlertHistoryEntry } from '../../../shared/api/alerts.ts';

const entry = (at: number, to: AlertHistoryEntry['to'] = 'firing'): AlertHistoryEntry => ({
  at,
  alertId: at % 2 === 0 ? 'aaaa' : 'bbbb',
  rule: 'edge503Ratio',
  from: 'pending',
  to,
  labels: { alertname: 'MeshEdge503Ratio', severity: 'critical', namespace: 'default', workload: 'frontend' },
  annotations: { summary: 's', description: 'd' },
  value: 0.5,
});

const dir = () => mkdtempSync(join(tmpdir(), 'meshscope-alert-history-'));

describe('AlertHistory', () => {
  it('creates no file until the first transition, then keeps every one across a restart', async () => {
    const path = join(dir(), 'sub', 'alerts.jsonl');
    const h = await AlertHistory.open(path);
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
    await h.append([entry(1), entry(2)]);
    await h.append([entry(3, 'resolved')]);
    await h.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
    const again = await AlertHistory.open(path);
    expect(again.list().map((e) => e.at)).toEqual([3, 2, 1]);
    expect(again.list({ alertId: 'bbbb' }).map((e) => e.at)).toEqual([3, 1]);
    expect(again.list({ limit: 1 }).map((e) => e.at)).toEqual([3]);
    await again.close();
  });

  it('drops a torn last line and skips foreign lines, reporting both', async () => {
    const path = join(dir(), 'alerts.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify(entry(1))}\nnot json\n{"at":2}\n${JSON.stringify(entry(3)).slice(0, 30)}`,
    );
    const said: string[] = [];
    const h = await AlertHistory.open(path, { log: (m) => said.push(m) });
    expect(h.list().map((e) => e.at)).toEqual([1]);
    expect(said.join('\n')).toMatch(/:2: skipped: not JSON/);
    expect(said.join('\n')).toMatch(/:3: skipped: not an alert history entry/);
    expect(said.join('\n')).toMatch(/dropped a torn last line/);
    await h.append([entry(4)]);
    await h.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ at: 4 });
  });

  it('stays bounded: at `max` entries the file is rewritten with the newest half', async () => {
    const path = join(dir(), 'alerts.jsonl');
    const h = await AlertHistory.open(path, { max: 10 });
    for (let i = 1; i <= 25; i++) await h.append([entry(i)]);
    const kept = h.list().map((e) => e.at);
    expect(kept.length).toBeLessThan(10);
    expect(kept[0]).toBe(25);
    await h.close();
    const onDisk = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).at as number);
    expect(onDisk).toEqual([...kept].reverse());
    // Appends after a rewrite go to the new file.
    appendFileSync(path, '');
    const again = await AlertHistory.open(path, { max: 10 });
    expect(again.list().map((e) => e.at)).toEqual(kept);
    await again.close();
  });
});
