import { describe, expect, it } from 'vitest';
import { alertGraphLink, alertMarks, workloadOfNodeId } from '../../../client/src/graph/alert-marks.ts';
import { decorate } from '../../../client/src/graph/decorate.ts';
import { parseGraphUrlState } from '../../../client/src/graph/url-state.ts';
import type { Alert } from '../../../shared/api/alerts.ts';
import { edge, graph, node } from './graph-fixture.ts';

function alert(over: Partial<Alert['labels']>, state: Alert['state'] = 'firing'): Alert {
  return {
    id: Math.random().toString(16).slice(2, 10),
    rule: 'edge503Ratio',
    state,
    labels: {
      alertname: 'MeshEdge503Ratio',
      severity: 'critical',
      namespace: 'bookinfo',
      workload: 'productpage-v1',
      ...over,
    },
    annotations: { summary: 's', description: 'd' },
    value: 0.5,
    activeAt: 0,
    firingAt: state === 'firing' ? 0 : null,
    resolvedAt: null,
  };
}

const W_PP = 'workload:bookinfo:productpage-v1';
const W_R2 = 'workload:bookinfo:reviews-v2';
const workloads = graph(
  [
    node(W_PP, { workload: 'productpage-v1', app: 'productpage', version: 'v1' }),
    node(W_R2, { workload: 'reviews-v2', app: 'reviews', version: 'v2' }),
  ],
  [edge(W_PP, W_R2)],
  { graphType: 'workload' },
);
const apps = graph(
  [
    node('versionedApp:bookinfo:productpage:v1'),
    node('versionedApp:bookinfo:reviews:v2'),
    node('versionedApp:bookinfo:reviews:v1'),
  ],
  [
    edge('versionedApp:bookinfo:productpage:v1', 'versionedApp:bookinfo:reviews:v2'),
    edge('versionedApp:bookinfo:productpage:v1', 'versionedApp:bookinfo:reviews:v1'),
  ],
);

describe('alertMarks', () => {
  it('marks a firing alert’s edge and its destination on the workload graph', () => {
    const m = alertMarks([alert({ edge: `${W_PP},${W_R2}` })], workloads);
    expect([...m.edges]).toEqual([[`${W_PP},${W_R2}`, 'critical']]);
    expect([...m.nodes]).toEqual([[W_R2, 'critical']]);
  });

  it('maps onto versioned-app nodes and edges through the workload graph’s labels', () => {
    const m = alertMarks([alert({ edge: `${W_PP},${W_R2}` })], apps, workloads);
    expect([...m.edges.keys()]).toEqual([
      'versionedApp:bookinfo:productpage:v1,versionedApp:bookinfo:reviews:v2',
    ]);
    expect([...m.nodes.keys()]).toEqual(['versionedApp:bookinfo:reviews:v2']);
  });

  it('marks the workload’s node for alerts without an edge, keeps the worst severity, ignores pending', () => {
    const m = alertMarks(
      [
        alert({ alertname: 'MeshSidecarScrapeFailing', workload: 'reviews-v2', severity: 'warning' }),
        alert({ alertname: 'MeshReplicaWeightsDrift', workload: 'reviews-v2', severity: 'critical' }),
        alert({ workload: 'productpage-v1' }, 'pending'),
      ],
      workloads,
    );
    expect([...m.nodes]).toEqual([[W_R2, 'critical']]);
    expect(m.edges.size).toBe(0);
  });

  it('decorates marked elements with the bell and the severity class', () => {
    const m = alertMarks([alert({ edge: `${W_PP},${W_R2}` })], workloads);
    const els = decorate(workloads, { edgeLabel: 'none', alerts: m });
    const e = els.find((x) => x.data.id === `${W_PP},${W_R2}`)!;
    expect(e.data['label']).toBe('⚑');
    expect(e.classes).toContain('alerting alert-critical');
    const n = els.find((x) => x.data.id === W_R2)!;
    expect(n.data['label']).toBe('⚑ reviews-v2');
    expect(els.find((x) => x.data.id === W_PP)!.classes).not.toContain('alerting');
  });
});

describe('alertGraphLink', () => {
  it('links to the edge on the workload graph, else to the workload’s node, as the URL state reads it', () => {
    const withEdge = alertGraphLink(alert({ edge: `${W_PP},${W_R2}` }))!;
    expect(parseGraphUrlState(withEdge.split('?')[1]!)).toMatchObject({
      graphType: 'workload',
      selected: { kind: 'edge', id: `${W_PP},${W_R2}` },
    });
    const nodeOnly = alertGraphLink(alert({ workload: 'my app' }))!;
    expect(parseGraphUrlState(nodeOnly.split('?')[1]!).selected).toEqual({
      kind: 'node',
      id: 'workload:bookinfo:my~20app',
    });
    expect(workloadOfNodeId('workload:bookinfo:my~20app')).toEqual({
      namespace: 'bookinfo',
      workload: 'my app',
    });
  });
});
