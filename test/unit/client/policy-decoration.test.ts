import type { ElementDefinition } from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { decorate, edgeLabel, WEIGHT_BADGE } from '../../../client/src/graph/decorate.ts';
import { parseExpression, toPredicate } from '../../../client/src/graph/find-hide.ts';
import { BADGE_GLYPHS, badgeGlyphs } from '../../../client/src/graph/policy-decoration.ts';
import { graphStylesheet } from '../../../client/src/graph/styles.ts';
import type { Policies } from '../../../shared/api/policies.ts';
import { edge, graph, node, traffic } from './graph-fixture.ts';

const FE = 'workload:default:frontend';
const V1 = 'workload:default:backend-v1';
const V2 = 'workload:default:backend-v2';

const open: Policies = {
  circuitBreaker: {
    thresholds: [{ priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 }],
    open: ['default.rq_pending_open'],
    overflowRps: 2,
    retryOverflowRps: 0,
  },
  retries: { retryOn: ['5xx'], numRetries: 3, rps: 0.5 },
  mirrors: [{ cluster: 'backend_shadow', percent: 100 }],
  tls: { mutual: true },
};

function lab() {
  return graph(
    [
      node(FE),
      node(V1, { policies: { circuitBreaker: { ...open.circuitBreaker!, open: [], overflowRps: 0 } } }),
      node(V2),
    ],
    [
      edge(FE, V1, { traffic: traffic(8), policies: open }),
      edge(FE, V2, {
        traffic: traffic(2),
        weights: [{ routeId: 'r', cluster: 'backend_v2', configured: 0.2, observed: 0.2 }],
      }),
      edge(FE, V2, { id: `${FE},${V2},mirror`, traffic: traffic(5), mirror: true, policies: open }),
    ],
  );
}

const byId = (els: ElementDefinition[], id: string) => {
  const el = els.find((e) => e.data.id === id);
  if (!el) throw new Error(`no element ${id}`);
  return el;
};

describe('policy badges in decorate', () => {
  const els = decorate(lab(), { edgeLabel: 'rps' });

  it('prefixes an edge label with the glyphs of its badges, configuration-only policies (TLS) without one', () => {
    const e = byId(els, `${FE},${V1}`);
    expect(e.data.badges).toBe('circuitBreakerOpen retries mirror tls');
    expect(e.data.label).toBe(
      `${BADGE_GLYPHS.circuitBreakerOpen} ${BADGE_GLYPHS.retries} ${BADGE_GLYPHS.mirror} 8.00 rps`,
    );
    expect(e.classes).toContain('badge-circuitBreakerOpen');
    expect(e.classes).toContain('badge-tls');
  });

  it('draws a mirror edge with the mirror class and glyph only, beside the primary edge', () => {
    const m = byId(els, `${FE},${V2},mirror`);
    expect(m.data).toMatchObject({
      source: FE,
      target: V2,
      badges: 'mirror',
      label: `${BADGE_GLYPHS.mirror} 5.00 rps`,
    });
    expect((m.classes as string).split(' ')).toContain('mirror');
    const primary = byId(els, `${FE},${V2}`);
    expect(primary.data.label).toBe(`${WEIGHT_BADGE} 2.00 rps`);
    expect(primary.data.badges).toBe('');
  });

  it('puts node badges before the node name', () => {
    const n = byId(els, V1);
    expect(n.data.label).toBe(`${BADGE_GLYPHS.circuitBreaker} backend-v1`);
    expect(n.data.badges).toBe('circuitBreaker');
    expect(byId(els, FE).data.label).toBe('frontend');
  });

  it('keeps route behaviour (retries, timeouts, mirrors) off node labels, in their classes only', () => {
    const g = lab();
    g.nodes[2]!.policies = { ...open, timeout: { timeoutMs: 3000, rps: 0 } };
    const n = byId(decorate(g, { edgeLabel: 'rps' }), V2);
    expect(n.data.label).toBe(`${BADGE_GLYPHS.circuitBreakerOpen} backend-v2`);
    expect(n.data.badges).toBe('circuitBreakerOpen retries timeout mirror tls');
    expect(n.classes).toContain('badge-retries');
  });

  it('keeps glyphs with no text label, and has styles for the states', () => {
    expect(edgeLabel(lab().edges[0]!, 'none')).toBe(badgeGlyphs(['circuitBreakerOpen', 'retries', 'mirror']));
    const selectors = graphStylesheet.map((r) => r.selector);
    expect(selectors).toContain('edge.mirror');
    expect(selectors.some((s) => s.includes('.badge-circuitBreakerOpen'))).toBe(true);
  });

  it('finds and hides by badge: any of an element’s badges matches', () => {
    const pred = (text: string) => {
      const r = parseExpression(text);
      if (!r.ok) throw new Error(r.message);
      return toPredicate(r.expr);
    };
    const found = (text: string) =>
      decorate(lab(), { edgeLabel: 'rps', find: pred(text) })
        .filter((e) => (e.classes as string).split(' ').includes('found'))
        .map((e) => e.data.id as string)
        .sort();
    expect(found('badge = circuitBreakerOpen')).toEqual([`${FE},${V1}`]);
    expect(found('badge = mirror')).toEqual([`${FE},${V1}`, `${FE},${V2},mirror`].sort());
    expect(found('badge = circuit*')).toEqual([V1, `${FE},${V1}`].sort());
    // Elements without badges match `!=`.
    expect(found('badge != mirror and kind = edge')).toEqual([`${FE},${V2}`]);
  });
});
