import type { ElementDefinition } from 'cytoscape';
import { describe, expect, it } from 'vitest';
import {
  decorate,
  edgeLabel,
  edgeWidth,
  HEALTH_COLOURS,
  NODE_SHAPES,
  WEIGHT_BADGE,
} from '../../../client/src/graph/decorate.ts';
import { parseExpression, toPredicate } from '../../../client/src/graph/find-hide.ts';
import { edge, graph, node, traffic } from './graph-fixture.ts';

const PP = 'versionedApp:bookinfo:productpage:v1';
const V1 = 'versionedApp:bookinfo:reviews:v1';
const V2 = 'versionedApp:bookinfo:reviews:v2';
const DETAILS = 'app:bookinfo:details';

function bookinfo() {
  const weights = (cluster: string, configured: number, observed: number | null) => [
    { routeId: 'bookinfo/productpage-v1/r/0', cluster, configured, observed },
  ];
  return graph(
    [
      node('inbound:bookinfo:productpage:v1', { app: 'productpage' }),
      node(PP, { inbound: traffic(10), outbound: traffic(20) }),
      node(V1, { inbound: traffic(8) }),
      node(V2, { inbound: traffic(2, { '5xx': 0.5, rate503: 0.25, p95: 1500 }), health: 'failing' }),
      node(DETAILS),
      node('service:bookinfo:ratings', { health: 'degraded' }),
      node('unknown:bookinfo:outbound|9080||ext', { hasSidecar: false, health: 'idle' }),
      node('workload:default:frontend', { workload: 'frontend' }),
    ],
    [
      edge('inbound:bookinfo:productpage:v1', PP, { traffic: traffic(10) }),
      edge(PP, V1, { traffic: traffic(8, { p95: 12.34 }), weights: weights('reviews_v1', 0.8, 0.8) }),
      edge(PP, V2, {
        traffic: traffic(2, { '5xx': 0.5, rate503: 0.25, p95: 1500 }),
        weights: weights('reviews_v2', 0.2, 0.2),
        health: 'failing',
      }),
      edge(PP, DETAILS),
    ],
  );
}

const byId = (els: ElementDefinition[], id: string) => {
  const el = els.find((e) => e.data.id === id);
  if (!el) throw new Error(`no element ${id}`);
  return el;
};
const classesOf = (els: ElementDefinition[], id: string) =>
  (byId(els, id).classes as string).split(' ').filter(Boolean);
const pred = (text: string) => {
  const r = parseExpression(text);
  if (!r.ok) throw new Error(r.message);
  return toPredicate(r.expr);
};

describe('decorate', () => {
  it('turns every node and edge into one element, nodes first, keeping ids and ends', () => {
    const g = bookinfo();
    const els = decorate(g, { edgeLabel: 'rps' });
    expect(els.map((e) => e.data.id)).toEqual([...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)]);
    expect(els.slice(0, g.nodes.length).every((e) => e.group === 'nodes')).toBe(true);
    const e = byId(els, `${PP},${V1}`);
    expect(e.group).toBe('edges');
    expect([e.data.source, e.data.target]).toEqual([PP, V1]);
  });

  it('shapes nodes by kind and labels versioned apps with their version', () => {
    const els = decorate(bookinfo(), { edgeLabel: 'rps' });
    expect(byId(els, V2).data.shape).toBe('round-rectangle');
    expect(byId(els, V2).data.label).toBe('reviews\nv2');
    expect(byId(els, DETAILS).data).toMatchObject({ shape: 'round-rectangle', label: 'details' });
    expect(byId(els, 'service:bookinfo:ratings').data.shape).toBe('triangle');
    expect(byId(els, 'workload:default:frontend').data.shape).toBe('ellipse');
    expect(byId(els, 'unknown:bookinfo:outbound|9080||ext').data.shape).toBe('diamond');
    expect(byId(els, 'inbound:bookinfo:productpage:v1').data).toMatchObject({
      shape: 'rectangle',
      label: 'inbound',
    });
    expect(new Set(Object.values(NODE_SHAPES)).size).toBe(5); // app and versionedApp share one
  });

  it('colours nodes and edges by health', () => {
    const els = decorate(bookinfo(), { edgeLabel: 'rps' });
    expect(byId(els, V2).data.colour).toBe(HEALTH_COLOURS.failing);
    expect(byId(els, 'service:bookinfo:ratings').data.colour).toBe(HEALTH_COLOURS.degraded);
    expect(byId(els, PP).data.colour).toBe(HEALTH_COLOURS.healthy);
    expect(byId(els, `${PP},${V2}`).data.colour).toBe(HEALTH_COLOURS.failing);
    expect(byId(els, `${PP},${V1}`).data.colour).toBe(HEALTH_COLOURS.healthy);
  });

  it('widens edges on a log scale of their rate, from 1 px idle to at most 8 px', () => {
    expect(edgeWidth(0)).toBe(1);
    expect(edgeWidth(1)).toBeCloseTo(1.5, 0);
    expect(edgeWidth(99)).toBe(4);
    expect(edgeWidth(1e9)).toBe(8);
    const widths = [0, 0.1, 1, 10, 100, 1000].map(edgeWidth);
    expect([...widths].sort((a, b) => a - b)).toEqual(widths);
    // Log scale: ten times the traffic adds the same width wherever you are.
    expect(edgeWidth(999) - edgeWidth(99)).toBeCloseTo(edgeWidth(99) - edgeWidth(9), 0);
    // Half-pixel steps: a rate drifting from 10 to 10.4 rps leaves the width alone.
    for (const rps of [0.3, 2.7, 10, 10.4, 57, 640]) expect(Number.isInteger(edgeWidth(rps) * 2)).toBe(true);
    expect(edgeWidth(10.4)).toBe(edgeWidth(10));
    const els = decorate(bookinfo(), { edgeLabel: 'rps' });
    expect(byId(els, `${PP},${V1}`).data.width).toBe(edgeWidth(8));
  });

  it('labels edges with the chosen figure and badges weighted routes', () => {
    const g = bookinfo();
    const toV2 = g.edges.find((e) => e.target === V2)!;
    const toDetails = g.edges.find((e) => e.target === DETAILS)!;
    expect(edgeLabel(toV2, 'rps')).toBe(`${WEIGHT_BADGE} 2.00 rps`);
    expect(edgeLabel(toV2, 'share')).toBe(`${WEIGHT_BADGE} 20 % / 20 %`);
    expect(edgeLabel(toV2, '5xx')).toBe(`${WEIGHT_BADGE} 25 %`);
    expect(edgeLabel(toV2, '503')).toBe(`${WEIGHT_BADGE} 13 %`);
    expect(edgeLabel(toV2, 'p95')).toBe(`${WEIGHT_BADGE} 1.50 s`);
    expect(edgeLabel(toV2, 'none')).toBe(WEIGHT_BADGE);
    expect(edgeLabel(toDetails, 'rps')).toBe('0 rps');
    expect(edgeLabel(toDetails, 'share')).toBe('');
    expect(edgeLabel(toDetails, '5xx')).toBe('');
    expect(edgeLabel(toDetails, 'p95')).toBe('');
    const idleShare = { ...toV2, weights: [{ ...toV2.weights[0]!, observed: null }] };
    expect(edgeLabel(idleShare, 'share')).toBe(`${WEIGHT_BADGE} – / 20 %`);
    expect(decorate(g, { edgeLabel: 'p95' }).find((e) => e.data.id === `${PP},${V1}`)?.data.label).toBe(
      `${WEIGHT_BADGE} 12.3 ms`,
    );
    expect(classesOf(decorate(g, { edgeLabel: 'rps' }), toV2.id)).toContain('weighted');
  });

  it('marks stale nodes with a class and a sign in the label', () => {
    const els = decorate(bookinfo(), { edgeLabel: 'rps', staleNodes: new Set([V1]) });
    expect(classesOf(els, V1)).toContain('stale');
    expect(byId(els, V1).data.label).toBe('⚠ reviews\nv1');
    expect(classesOf(els, V2)).not.toContain('stale');
    expect(classesOf(els, 'unknown:bookinfo:outbound|9080||ext')).toContain('no-sidecar');
  });

  it('classes what find matches and what hide matches; edges answer for their destination', () => {
    const els = decorate(bookinfo(), {
      edgeLabel: 'rps',
      find: pred('version = v2'),
      hide: pred('kind = service or (kind = edge and rps = 0)'),
    });
    const found = els.filter((e) => (e.classes as string).includes('found')).map((e) => e.data.id);
    expect(found).toEqual([V2, `${PP},${V2}`]);
    const hidden = els.filter((e) => (e.classes as string).includes('hidden')).map((e) => e.data.id);
    expect(hidden).toEqual(['service:bookinfo:ratings', `${PP},${DETAILS}`]);
  });

  it('judges a node by what it receives, or by what it sends when it receives nothing', () => {
    const g = graph(
      [
        node('app:default:loadgen', { outbound: traffic(12) }),
        node(PP, { inbound: traffic(3), outbound: traffic(30) }),
      ],
      [],
    );
    const found = decorate(g, { edgeLabel: 'rps', find: pred('rps > 10') })
      .filter((e) => (e.classes as string).includes('found'))
      .map((e) => e.data.id);
    expect(found).toEqual(['app:default:loadgen']);
  });

  it('hides idle nodes and edges on request', () => {
    const g = bookinfo();
    const hidden = (hideIdle: boolean) =>
      decorate(g, { edgeLabel: 'rps', hideIdle })
        .filter((e) => (e.classes as string).split(' ').includes('hidden'))
        .map((e) => e.data.id);
    expect(hidden(false)).toEqual([]);
    expect(hidden(true)).toEqual([
      'inbound:bookinfo:productpage:v1',
      DETAILS,
      'service:bookinfo:ratings',
      'unknown:bookinfo:outbound|9080||ext',
      'workload:default:frontend',
      `${PP},${DETAILS}`,
    ]);
  });
});
