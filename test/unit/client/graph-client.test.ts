import { describe, expect, it } from 'vitest';
import { graphKeys, graphSearch, reconnectDelay } from '../../../client/src/api/graph-client.ts';
import { GraphQuerySchema } from '../../../shared/api/graph-query.ts';

describe('graph client', () => {
  it('keys graphs hierarchically under graph, namespaces in a stable order', () => {
    expect(graphKeys.of({ graphType: 'app', namespaces: ['b', 'a'], window: 300 })).toEqual([
      'graph',
      'app',
      ['a', 'b'],
      300,
    ]);
    expect(graphKeys.of({ graphType: 'service', namespaces: [], window: undefined })).toEqual([
      'graph',
      'service',
      [],
      null,
    ]);
    expect(graphKeys.of({ graphType: 'app', namespaces: [], window: undefined }).slice(0, 1)).toEqual(
      graphKeys.all,
    );
  });

  it('builds the query string the server validates', () => {
    const search = graphSearch({ graphType: 'workload', namespaces: ['default', 'bookinfo'], window: 600 });
    expect(search).toBe('graphType=workload&namespaces=bookinfo%2Cdefault&window=600');
    const parsed = GraphQuerySchema.parse(Object.fromEntries(new URLSearchParams(search)));
    expect(parsed).toEqual({ graphType: 'workload', namespaces: ['bookinfo', 'default'], window: 600 });
    expect(graphSearch({ graphType: 'versionedApp', namespaces: [], window: undefined })).toBe(
      'graphType=versionedApp',
    );
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s, with ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => reconnectDelay(a, mid))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(reconnectDelay(1, () => 0)).toBe(800);
    expect(reconnectDelay(1, () => 1)).toBe(1200);
    expect(reconnectDelay(10, () => 1)).toBe(36000);
  });
});
