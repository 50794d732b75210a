import { describe, expect, it } from 'vitest';
import { parsePrometheusAlerts } from '../../../server/sources/prometheus/prometheus-alerts.ts';

describe('parsePrometheusAlerts', () => {
  it('reads /api/v1/alerts as Prometheus answers it', () => {
    const body = {
      status: 'success',
      data: {
        alerts: [
          {
            labels: { alertname: 'MeshEdge503Ratio', envoy_cluster_name: 'backend' },
            annotations: { summary: '100% 503' },
            state: 'firing',
            activeAt: '2026-11-22T04:00:00.123Z',
            value: '1e+00',
          },
          { labels: { alertname: 'X' }, state: 'pending' },
        ],
      },
    };
    expect(parsePrometheusAlerts(body)).toEqual([
      {
        labels: { alertname: 'MeshEdge503Ratio', envoy_cluster_name: 'backend' },
        annotations: { summary: '100% 503' },
        state: 'firing',
        activeAt: '2026-11-22T04:00:00.123Z',
        value: '1e+00',
      },
      { labels: { alertname: 'X' }, annotations: {}, state: 'pending', activeAt: null, value: '' },
    ]);
  });

  it('says what is wrong with anything else', () => {
    expect(() => parsePrometheusAlerts({ status: 'error' })).toThrow(
      /not a Prometheus alerts response \(status/,
    );
    expect(() =>
      parsePrometheusAlerts({ status: 'success', data: { alerts: [{ state: 'odd', labels: {} }] } }),
    ).toThrow(/data\.alerts\.0\.state/);
  });
});
