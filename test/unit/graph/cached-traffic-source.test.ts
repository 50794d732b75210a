import { describe, expect, it } from 'vitest';
import { CachedTrafficSource } from '../../../server/graph/cached-traffic-source.ts';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { FakeTrafficSource, traffic } from './fake-traffic-source.ts';
import { istioBookinfo } from './meshes.ts';

/** A fake whose scrape time can move, counting the figures it computes. */
class CountingSource extends FakeTrafficSource {
  calls = 0;
  at = 1000;
  override latest(id: string) {
    const s = super.latest(id);
    return s === undefined ? undefined : { ...s, at: this.at };
  }
  override clusterTraffic(id: string, cluster: string) {
    this.calls++;
    return super.clusterTraffic(id, cluster);
  }
  override inboundTraffic(id: string) {
    this.calls++;
    return super.inboundTraffic(id);
  }
  override istioTraffic(id: string) {
    this.calls++;
    return super.istioTraffic(id);
  }
}

describe('CachedTrafficSource', () => {
  const make = () => {
    const inner = new CountingSource(
      { a: { clusters: { x: traffic(5) }, inbound: traffic(2) } },
      { windowSeconds: 30 },
    );
    return { inner, cached: new CachedTrafficSource(inner) };
  };

  it('computes each figure once per scrape of its target', () => {
    const { inner, cached } = make();
    expect(cached.clusterTraffic('a', 'x')?.rps).toBe(5);
    expect(cached.clusterTraffic('a', 'x')?.rps).toBe(5);
    expect(cached.clusterTraffic('a', 'nope')).toBeUndefined();
    expect(cached.clusterTraffic('a', 'nope')).toBeUndefined();
    expect(cached.inboundTraffic('a')?.rps).toBe(2);
    expect(cached.inboundTraffic('a')?.rps).toBe(2);
    expect(cached.istioTraffic('a')).toEqual([]);
    expect(cached.istioTraffic('a')).toEqual([]);
    expect(inner.calls).toBe(4);
    expect(cached.windowSeconds).toBe(30);
    expect(cached.updatedAt).toBe(inner.updatedAt);
  });

  it('computes again once the target was scraped again', () => {
    const { inner, cached } = make();
    cached.clusterTraffic('a', 'x');
    inner.sidecars['a']!.clusters!['x'] = traffic(9);
    expect(cached.clusterTraffic('a', 'x')?.rps).toBe(5);
    inner.at = 6000;
    expect(cached.clusterTraffic('a', 'x')?.rps).toBe(9);
    expect(inner.calls).toBe(2);
  });

  it('does not cache targets the source does not know', () => {
    const { inner, cached } = make();
    expect(cached.clusterTraffic('gone', 'x')).toBeUndefined();
    expect(cached.clusterTraffic('gone', 'x')).toBeUndefined();
    expect(inner.calls).toBe(2);
  });

  it('builds the same graphs as the source it wraps', () => {
    const { inventory, sidecars } = istioBookinfo();
    const source = new FakeTrafficSource(sidecars);
    const cached = new CachedTrafficSource(source);
    for (const graphType of ['workload', 'service'] as const) {
      const direct = buildGraph(inventory, source, { graphType });
      expect(buildGraph(inventory, cached, { graphType })).toEqual(direct);
      expect(buildGraph(inventory, cached, { graphType })).toEqual(direct);
    }
  });
});
