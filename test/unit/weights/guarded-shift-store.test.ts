// The guarded shifts' state file: a round trip keeps every field, a write replaces the whole document
// through a renamed temporary file (none left behind), and entries that are not shifts are skipped.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuardedShiftStore, shiftsFileFor } from '../../../server/weights/guarded-shift-store.ts';
import {
  type GuardedShift,
  GuardedShiftSchema,
  GuardedShiftThresholdsSchema,
} from '../../../shared/api/guarded-shift.ts';

const shift = (id: string, state: GuardedShift['state']): GuardedShift =>
  GuardedShiftSchema.parse({
    id,
    routeId: 'default/web/l/r/vh/0',
    canary: 'v2',
    baseline: ['v1'],
    state,
    startedAt: 1,
    updatedAt: 2,
    startedBy: 'local',
    reason: 'rollout',
    stepPercent: 50,
    intervalSeconds: 30,
    thresholds: GuardedShiftThresholdsSchema.parse({ maxP99: { kind: 'absolute', ms: 250 } }),
    startWeights: { v1: 100, v2: 0 },
    targetWeights: { v1: 0, v2: 100 },
    steps: [
      { v1: 50, v2: 50 },
      { v1: 0, v2: 100 },
    ],
    currentStep: 1,
    currentWeights: { v1: 50, v2: 50 },
    stepStartedAt: 3,
    pending: { kind: 'step', step: 2 },
    lastAuditId: 'a1',
    lastDecision: {
      at: 4,
      step: 1,
      action: 'hold',
      why: 'within thresholds',
      elapsedSeconds: 1.5,
      canary: { requests: 10, errors503: 0, errors5xx: 0, p99Ms: 4.2 },
      baseline: { requests: 10, errors503: 0, errors5xx: 0, p99Ms: null },
    },
    decisions: [],
    events: [{ at: 1, message: 'started' }],
    stoppedWhy: null,
  });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shift-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GuardedShiftStore', () => {
  it('reads back exactly what it wrote, and nothing from a missing file', async () => {
    const store = new GuardedShiftStore(join(dir, 'sub', 'shifts.json'));
    expect(await store.load()).toEqual({ shifts: [], skipped: [] });
    const shifts = [shift('gs-1', 'running'), shift('gs-2', 'promoted')];
    await store.save(shifts);
    expect(await store.load()).toEqual({ shifts, skipped: [] });
    await Promise.all([store.save([shifts[0]!]), store.save([shifts[1]!])]);
    expect((await store.load()).shifts.map((s) => s.id)).toEqual(['gs-2']);
    expect(await readdir(join(dir, 'sub'))).toEqual(['shifts.json']);
  });

  it('skips entries that are not shifts and refuses a file that is not JSON', async () => {
    const path = join(dir, 'shifts.json');
    await writeFile(path, JSON.stringify({ shifts: [shift('gs-1', 'paused'), { id: 'x' }] }));
    const loaded = await new GuardedShiftStore(path).load();
    expect(loaded.shifts.map((s) => s.id)).toEqual(['gs-1']);
    expect(loaded.skipped).toHaveLength(1);
    await writeFile(path, '{"shifts": [');
    await expect(new GuardedShiftStore(path).load()).rejects.toThrow(/shifts\.json: /);
    expect(await readFile(path, 'utf8')).toBe('{"shifts": [');
  });

  it('lives beside the audit log it belongs to', () => {
    expect(shiftsFileFor('/data/audit-0123456789ab.jsonl')).toBe(
      '/data/audit-0123456789ab.guarded-shifts.json',
    );
  });
});
