import { describe, expect, it } from 'vitest';
import { alertmanagerPayload } from '../../../server/alerts/alertmanager-payload.ts';
import type { Alert } from '../../../shared/api/alerts.ts';

const base: Alert = {
  id: '0123abcd',
  rule: 'edge503Ratio',
  state: 'firing',
  labels: {
    alertname: 'MeshEdge503Ratio',
    severity: 'critical',
    namespace: 'default',
    workload: 'frontend',
    cluster: 'b',
  },
  annotations: { summary: 'sum', description: 'desc' },
  value: 0.5,
  activeAt: Date.UTC(2026, 0, 1, 0, 0, 0),
  firingAt: Date.UTC(2026, 0, 1, 0, 1, 0),
  resolvedAt: null,
};

describe('alertmanagerPayload', () => {
  it('posts firing alerts with endsAt ahead, resolved ones with endsAt at resolution, never pending ones', () => {
    const now = Date.UTC(2026, 0, 1, 0, 2, 0);
    const out = alertmanagerPayload(
      [
        base,
        { ...base, id: 'p', state: 'pending', firingAt: null },
        { ...base, id: 'r', state: 'resolved', resolvedAt: now - 1000 },
      ],
      now,
      (a) => `http://dash/#/alerts?alert=${a.id}`,
      240_000,
    );
    expect(out).toEqual([
      {
        labels: {
          alertname: 'MeshEdge503Ratio',
          severity: 'critical',
          namespace: 'default',
          workload: 'frontend',
          cluster: 'b',
        },
        annotations: { summary: 'sum', description: 'desc' },
        startsAt: '2026-01-01T00:01:00.000Z',
        endsAt: '2026-01-01T00:06:00.000Z',
        generatorURL: 'http://dash/#/alerts?alert=0123abcd',
      },
      expect.objectContaining({ startsAt: '2026-01-01T00:01:00.000Z', endsAt: '2026-01-01T00:01:59.000Z' }),
    ]);
  });
});
