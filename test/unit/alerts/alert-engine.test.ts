// The state machine: pending → firing after `for`, resolved when the condition goes, kept listed for
// 15 minutes; `for: 0` fires at once; transitions recorded once each.
import { describe, expect, it } from 'vitest';
import {
  type EngineState,
  evaluateAlerts,
  initialEngineState,
  listAlerts,
  RESOLVED_RETENTION_MS,
} from '../../../server/alerts/alert-engine.ts';
import type { MeshSnapshot } from '../../../server/alerts/mesh-snapshot.ts';
import { parseRulesFile } from '../../../server/alerts/rules-file.ts';
import { AlertHistoryEntrySchema, AlertRuleIdSchema, AlertSchema } from '../../../shared/api/alerts.ts';
import { snapshot, traffic, upstream } from './snapshot-data.ts';

// Only the 503 rule, so each test sees one alert.
const ONLY_503 = parseRulesFile(
  `rules:\n${AlertRuleIdSchema.options
    .filter((r) => r !== 'edge503Ratio')
    .map((r) => `  ${r}: { enabled: false }`)
    .join('\n')}\n`,
);

const failing = (at: number): MeshSnapshot =>
  snapshot(at, { upstreams: [upstream({ traffic: traffic({ rps: 10, rate503: 5 }) })] });
const fine = (at: number): MeshSnapshot =>
  snapshot(at, { upstreams: [upstream({ traffic: traffic({ rps: 10 }) })] });

function run(steps: MeshSnapshot[], rules = ONLY_503) {
  let state: EngineState = initialEngineState();
  const log: { at: number; from: string; to: string }[] = [];
  for (const s of steps) {
    const r = evaluateAlerts(rules, s, state);
    state = r.state;
    for (const t of r.transitions) {
      AlertHistoryEntrySchema.parse(t);
      log.push({ at: t.at, from: t.from, to: t.to });
    }
  }
  return { state, log };
}

describe('alert state machine', () => {
  it('is pending until the condition has held for `for` (60 s), then firing', () => {
    const { state, log } = run([
      failing(0),
      failing(30_000),
      failing(59_999),
      failing(60_000),
      failing(65_000),
    ]);
    expect(log).toEqual([
      { at: 0, from: 'inactive', to: 'pending' },
      { at: 60_000, from: 'pending', to: 'firing' },
    ]);
    const [a] = listAlerts(state);
    AlertSchema.parse(a);
    expect(a).toMatchObject({
      state: 'firing',
      activeAt: 0,
      firingAt: 60_000,
      resolvedAt: null,
      rule: 'edge503Ratio',
    });
    expect(a!.labels).toMatchObject({
      alertname: 'MeshEdge503Ratio',
      severity: 'critical',
      namespace: 'default',
      workload: 'frontend',
      cluster: 'backend_v1',
      edge: 'workload:default:frontend,workload:default:backend-v1',
    });
    expect(a!.value).toBeCloseTo(0.5);
    expect(a!.annotations.summary).toBe('50% 503 from frontend to backend-v1');
  });

  it('resolves when the condition stops, and keeps the resolved alert listed for 15 minutes', () => {
    const { state, log } = run([failing(0), failing(60_000), fine(70_000)]);
    expect(log.at(-1)).toEqual({ at: 70_000, from: 'firing', to: 'resolved' });
    expect(listAlerts(state)[0]).toMatchObject({ state: 'resolved', firingAt: 60_000, resolvedAt: 70_000 });
    const later = run([failing(0), failing(60_000), fine(70_000), fine(70_000 + RESOLVED_RETENTION_MS + 1)]);
    expect(listAlerts(later.state)).toEqual([]);
  });

  it('a pending alert whose condition clears before `for` resolves without ever firing', () => {
    const { state, log } = run([failing(0), fine(10_000)]);
    expect(log).toEqual([
      { at: 0, from: 'inactive', to: 'pending' },
      { at: 10_000, from: 'pending', to: 'resolved' },
    ]);
    expect(listAlerts(state)[0]).toMatchObject({ state: 'resolved', firingAt: null });
  });

  it('starts over when the condition comes back: a new pending period, the same id', () => {
    const first = run([failing(0), failing(60_000), fine(70_000)]);
    const { state, log } = run([
      failing(0),
      failing(60_000),
      fine(70_000),
      failing(80_000),
      failing(100_000),
    ]);
    expect(log.slice(3)).toEqual([{ at: 80_000, from: 'inactive', to: 'pending' }]);
    const alerts = listAlerts(state);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      state: 'pending',
      activeAt: 80_000,
      id: listAlerts(first.state)[0]!.id,
    });
  });

  it('`for: 0s` fires at the first evaluation that sees the condition', () => {
    const rules = structuredClone(ONLY_503);
    rules.rules.edge503Ratio.for = 0;
    const { log } = run([failing(5)], rules);
    expect(log).toEqual([{ at: 5, from: 'inactive', to: 'firing' }]);
  });

  it('keeps the id when the edge disappears (every host down, nothing reaches the cluster)', () => {
    const withEdge = run([failing(0)]);
    const noEdge = snapshot(1000, {
      upstreams: [upstream({ edge: undefined, traffic: traffic({ rps: 0, uh: 5 }) })],
    });
    const { state, log } = run([failing(0), noEdge]);
    expect(log, JSON.stringify(log)).toHaveLength(1);
    expect(listAlerts(state)[0]!.id).toBe(listAlerts(withEdge.state)[0]!.id);
    expect(listAlerts(state)[0]!.labels.edge).toBeUndefined();
  });

  it('lists firing, then pending, then resolved', () => {
    const rules = structuredClone(ONLY_503);
    const two = (at: number, a: boolean, b: boolean) =>
      snapshot(at, {
        upstreams: [
          upstream({ cluster: 'a', traffic: traffic({ rps: 10, rate503: a ? 5 : 0 }) }),
          upstream({ cluster: 'b', traffic: traffic({ rps: 10, rate503: b ? 5 : 0 }) }),
          upstream({ cluster: 'c', traffic: traffic({ rps: 10, rate503: at < 70_000 ? 5 : 0 }) }),
        ],
      });
    const { state } = run([two(0, true, false), two(60_000, true, true), two(70_000, true, true)], rules);
    expect(listAlerts(state).map((a) => [a.labels.cluster, a.state])).toEqual([
      ['a', 'firing'],
      ['b', 'pending'],
      ['c', 'resolved'],
    ]);
  });

  it('judges weight shares only once a whole rate window has passed since the first evaluation', () => {
    const rules = parseRulesFile('rules:\n  weightShareDrift: { for: 0s }\n');
    const skewed = (at: number): MeshSnapshot =>
      snapshot(at, {
        routes: [
          {
            id: 'r',
            namespace: 'default',
            workload: 'frontend',
            requests: 1000,
            clusters: [
              { name: 'a', configuredShare: 0.8, requests: 700, edge: undefined },
              { name: 'b', configuredShare: 0.2, requests: 300, edge: undefined },
            ],
            replicas: [],
          },
        ],
      });
    const early = run([skewed(0), skewed(59_000)], rules);
    expect(early.log).toEqual([]);
    const later = run([skewed(0), skewed(59_000), skewed(60_000)], rules);
    expect(later.log.map((t) => t.to)).toEqual(['firing', 'firing']);
  });
});
