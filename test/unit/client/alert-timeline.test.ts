import { describe, expect, it } from 'vitest';
import { filterAlerts } from '../../../client/src/pages/AlertsPage.tsx';
import { timelineLanes } from '../../../client/src/pages/alert-timeline.ts';
import type { Alert, AlertHistoryEntry } from '../../../shared/api/alerts.ts';

const labels = {
  alertname: 'MeshEdge503Ratio',
  severity: 'critical' as const,
  namespace: 'shop',
  workload: 'web',
};
const t = (
  alertId: string,
  at: number,
  from: AlertHistoryEntry['from'],
  to: AlertHistoryEntry['to'],
): AlertHistoryEntry => ({
  at,
  alertId,
  rule: 'edge503Ratio',
  from,
  to,
  labels,
  annotations: { summary: `summary ${alertId}`, description: '' },
  value: 1,
});

describe('timelineLanes', () => {
  it('turns transitions (newest first, as the API lists them) into pending and firing intervals', () => {
    const now = 10 * 60_000;
    const lanes = timelineLanes(
      [
        t('a', 300_000, 'firing', 'resolved'),
        t('b', 200_000, 'inactive', 'pending'),
        t('a', 120_000, 'pending', 'firing'),
        t('a', 60_000, 'inactive', 'pending'),
      ],
      now,
      3_600_000,
    );
    expect(lanes.map((l) => [l.alertId, l.segments])).toEqual([
      ['b', [{ state: 'pending', from: 200_000, to: now }]],
      [
        'a',
        [
          { state: 'pending', from: 60_000, to: 120_000 },
          { state: 'firing', from: 120_000, to: 300_000 },
        ],
      ],
    ]);
  });

  it('clips to the span and drops lanes entirely before it', () => {
    const now = 3 * 3_600_000;
    const lanes = timelineLanes(
      [
        t('old', 1000, 'inactive', 'firing'),
        t('old', 2000, 'firing', 'resolved'),
        t('long', now - 7_200_000, 'inactive', 'firing'),
      ],
      now,
      3_600_000,
    );
    expect(lanes).toEqual([
      {
        alertId: 'long',
        labels,
        summary: 'summary long',
        segments: [{ state: 'firing', from: now - 3_600_000, to: now }],
      },
    ]);
  });
});

describe('filterAlerts', () => {
  const a = (id: string, state: Alert['state'], over: Partial<Alert['labels']> = {}): Alert => ({
    id,
    rule: 'edge503Ratio',
    state,
    labels: { ...labels, ...over },
    annotations: { summary: `503 from ${over.workload ?? 'web'}`, description: '' },
    value: 1,
    activeAt: 0,
    firingAt: null,
    resolvedAt: null,
  });
  const all = [
    a('1', 'firing'),
    a('2', 'pending', { namespace: 'pay', severity: 'warning' }),
    a('3', 'resolved', { workload: 'api', cluster: 'db' }),
  ];
  it('filters by state, severity, namespace and text', () => {
    const f = { state: 'all' as const, severity: 'all' as const, namespace: '', text: '' };
    expect(filterAlerts(all, f).map((x) => x.id)).toEqual(['1', '2', '3']);
    expect(filterAlerts(all, { ...f, state: 'firing' }).map((x) => x.id)).toEqual(['1']);
    expect(filterAlerts(all, { ...f, severity: 'warning' }).map((x) => x.id)).toEqual(['2']);
    expect(filterAlerts(all, { ...f, namespace: 'pay' }).map((x) => x.id)).toEqual(['2']);
    expect(filterAlerts(all, { ...f, text: 'DB' }).map((x) => x.id)).toEqual(['3']);
  });
});
