import { describe, expect, it } from 'vitest';
import { alertEvent } from '../../../server/alerts/alert-kubernetes-events.ts';
import type { AlertHistoryEntry } from '../../../shared/api/alerts.ts';

const t = (
  from: AlertHistoryEntry['from'],
  to: AlertHistoryEntry['to'],
  sidecar?: string,
): AlertHistoryEntry => ({
  at: 1_700_000_000_000,
  alertId: 'a',
  rule: 'sidecarScrapeFailing',
  from,
  to,
  labels: {
    alertname: 'MeshSidecarScrapeFailing',
    severity: 'critical',
    namespace: 'shop',
    workload: 'backend',
    ...(sidecar !== undefined && { sidecar }),
  },
  annotations: { summary: 'Sidecar cannot be scraped', description: 'd' },
  value: 30,
});

describe('alertEvent', () => {
  it('reports firing as a Warning on the pod when the alert names a sidecar', () => {
    const e = alertEvent(t('pending', 'firing', 'shop/backend-5d8f'), (id) =>
      id === 'shop/backend-5d8f' ? 'backend-5d8f' : undefined,
    );
    expect(e).toMatchObject({
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'backend-5d8f' },
      reason: 'AlertFiring',
      type: 'Warning',
      message: 'MeshSidecarScrapeFailing (critical) firing: Sidecar cannot be scraped',
    });
  });

  it('reports resolution as Normal on the Deployment, and nothing for pending', () => {
    expect(alertEvent(t('firing', 'resolved'), () => undefined)).toMatchObject({
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'backend' },
      reason: 'AlertResolved',
      type: 'Normal',
    });
    expect(alertEvent(t('inactive', 'pending'), () => undefined)).toBeUndefined();
    expect(alertEvent(t('pending', 'resolved'), () => undefined)).toBeUndefined();
  });
});
