import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GRAPH_URL_STATE,
  type GraphUrlState,
  parseGraphUrlState,
  serializeGraphUrlState,
} from '../../../client/src/graph/url-state.ts';

const full: GraphUrlState = {
  namespaces: ['bookinfo', 'default'],
  graphType: 'workload',
  window: 300,
  edgeLabel: 'share',
  layout: 'elk',
  find: 'rps > 5 and version = "v2"',
  hide: '503% > 1',
  hideIdle: true,
  selected: { id: 'versionedApp:bookinfo:productpage:v1,versionedApp:bookinfo:reviews:v2', kind: 'edge' },
};

describe('graph URL state', () => {
  it('round-trips every field', () => {
    expect(parseGraphUrlState(serializeGraphUrlState(full))).toEqual(full);
    const node = { ...full, selected: { id: 'workload:default:frontend', kind: 'node' as const } };
    expect(parseGraphUrlState(`?${serializeGraphUrlState(node)}`)).toEqual(node);
  });

  it('leaves defaults out, so the default view is an empty query', () => {
    expect(serializeGraphUrlState(DEFAULT_GRAPH_URL_STATE)).toBe('');
    expect(parseGraphUrlState('')).toEqual(DEFAULT_GRAPH_URL_STATE);
    expect(serializeGraphUrlState({ ...DEFAULT_GRAPH_URL_STATE, graphType: 'app' })).toBe('type=app');
  });

  it('writes readable links: spaces as %20, namespaces sorted and comma-separated', () => {
    const q = serializeGraphUrlState({ ...DEFAULT_GRAPH_URL_STATE, namespaces: ['b', 'a'], find: 'rps > 5' });
    expect(q).toBe('ns=a%2Cb&find=rps%20%3E%205');
    expect(parseGraphUrlState('ns=a,b&find=rps+%3E+5')).toMatchObject({
      namespaces: ['a', 'b'],
      find: 'rps > 5',
    });
  });

  it('falls back to defaults for garbled values instead of failing', () => {
    expect(
      parseGraphUrlState('type=mesh&window=-5&label=bogus&layout=toString&ns=Bad_NS,ok,,ok&idle=yes'),
    ).toEqual({ ...DEFAULT_GRAPH_URL_STATE, namespaces: ['ok'] });
    expect(parseGraphUrlState('window=1.5').window).toBeUndefined();
    expect(parseGraphUrlState('label=constructor').edgeLabel).toBe('rps');
  });

  it('keeps a window the server may reject, so the page can say why', () => {
    expect(parseGraphUrlState('window=45').window).toBe(45);
  });
});
