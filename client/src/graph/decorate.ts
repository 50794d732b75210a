// The API graph ("data expected from the server") turned into Cytoscape element definitions ("after
// decorating"), in one function: labels, health colours, widths, shapes, badges, stale marks and the
// find/hide classes are all derived here, so event handlers and the stylesheet never compute them.
import type { ElementDefinition } from 'cytoscape';
import type { Graph, GraphEdge, GraphNode, Health, NodeKind, Traffic } from '../../../shared/api/graph.ts';
import type { AlertMarks } from './alert-marks.ts';
import type { FindValues, Predicate } from './find-hide.ts';
import { formatMs, formatPercent, formatRps, formatShare, ratio } from './format.ts';
import { edgePolicyDecoration, nodePolicyDecoration } from './policy-decoration.ts';

export const EDGE_LABELS = {
  none: 'No labels',
  rps: 'Requests per second',
  share: 'Route share (observed / configured)',
  '5xx': '5xx %',
  '503': '503 %',
  p95: 'p95 latency',
} as const;
export type EdgeLabelMode = keyof typeof EDGE_LABELS;

export interface DecorateOptions {
  edgeLabel: EdgeLabelMode;
  /** Ids of nodes whose sidecar's last scrape failed (stale-nodes.ts). */
  staleNodes?: ReadonlySet<string>;
  find?: Predicate | undefined;
  hide?: Predicate | undefined;
  /** Hide nodes that neither received nor sent requests, and edges without requests, over the window. */
  hideIdle?: boolean;
  /** Nodes and edges with a firing alert, by worst severity (alert-marks.ts). */
  alerts?: AlertMarks;
}

export const HEALTH_COLOURS: Record<Health, string> = {
  healthy: '#3e8635',
  degraded: '#f0ab00',
  failing: '#c9190b',
  idle: '#8a8d90',
};

export const NODE_SHAPES: Record<NodeKind, string> = {
  workload: 'ellipse',
  app: 'round-rectangle',
  versionedApp: 'round-rectangle',
  service: 'triangle',
  unknown: 'diamond',
  inbound: 'rectangle',
};

/** Badge on edges that carry a weighted route (policy badges: policy-decoration.ts). */
export const WEIGHT_BADGE = '⚖';
export const STALE_MARK = '⚠';
/** Badge of an element with a firing alert (class `alerting alert-<severity>`). */
export const ALERT_MARK = '⚑';

function withAlert(label: string, severity: string | undefined): string {
  return severity === undefined ? label : label === '' ? ALERT_MARK : `${ALERT_MARK} ${label}`;
}

/**
 * Edge width on a log scale of its rate, so 1 rps and 1,000 rps both stay readable: 1 px idle,
 * ~1.5 px at 1 rps, 4 px at 100 rps, capped at 8 px. Absolute (not relative to the busiest edge) so a
 * spike on one edge does not thin every other one on the next update; in half-pixel steps, so the small
 * drift of a steady rate does not make Cytoscape recompute every edge's geometry on each update.
 */
export function edgeWidth(rps: number): number {
  return Math.min(8, Math.round((1 + 1.5 * Math.log10(1 + rps)) * 2) / 2);
}

function nodeLabel(n: GraphNode, stale: boolean): string {
  const name = n.kind === 'inbound' ? 'inbound' : n.name.length > 40 ? `${n.name.slice(0, 39)}…` : n.name;
  const withVersion = n.kind === 'versionedApp' && n.version !== undefined ? `${name}\n${n.version}` : name;
  return stale ? `${STALE_MARK} ${withVersion}` : withVersion;
}

/** A node's own figures are what it receives; a pure caller (nothing received) is judged by what it sends. */
function nodeTraffic(n: GraphNode): Traffic {
  return n.inbound.rps > 0 || n.outbound.rps === 0 ? n.inbound : n.outbound;
}

function figures(t: Traffic): Pick<FindValues, 'rps' | '5xx%' | '503%' | 'p95'> {
  return {
    rps: t.rps,
    '5xx%': ratio(t.status['5xx'], t) * 100,
    '503%': ratio(t.rate503, t) * 100,
    p95: t.latencyMs?.p95 ?? null,
  };
}

export function nodeFindValues(n: GraphNode): FindValues {
  return {
    ...figures(nodeTraffic(n)),
    version: n.version,
    namespace: n.namespace,
    app: n.app,
    name: n.name,
    kind: n.kind,
    health: n.health,
    badge: nodePolicyDecoration(n.policies).badges,
  };
}

/** An edge is `kind = edge`; its identity fields are its destination's, so `version = v2` finds traffic to v2. */
export function edgeFindValues(e: GraphEdge, target: GraphNode | undefined): FindValues {
  return {
    ...figures(e.traffic),
    version: target?.version,
    namespace: target?.namespace,
    app: target?.app,
    name: target?.name,
    kind: 'edge',
    health: e.health,
    badge: edgePolicyDecoration(e).badges,
  };
}

export function edgeLabel(e: GraphEdge, mode: EdgeLabelMode): string {
  const t = e.traffic;
  let text: string;
  switch (mode) {
    case 'none':
      text = '';
      break;
    case 'rps':
      text = formatRps(t.rps);
      break;
    case 'share':
      text = e.weights.map(formatShare).join(', ');
      break;
    case '5xx':
      text = t.rps > 0 ? formatPercent(ratio(t.status['5xx'], t)) : '';
      break;
    case '503':
      text = t.rps > 0 ? formatPercent(ratio(t.rate503, t)) : '';
      break;
    case 'p95':
      text = t.latencyMs === null ? '' : formatMs(t.latencyMs.p95);
      break;
  }
  const glyphs = edgePolicyDecoration(e).glyphs;
  const weight = e.weights.length > 0 ? WEIGHT_BADGE : '';
  const badge = weight && glyphs ? `${weight} ${glyphs}` : weight || glyphs;
  return badge && text ? `${badge} ${text}` : badge || text;
}

function classes(list: (string | false)[]): string {
  return list.filter(Boolean).join(' ');
}

export function decorate(graph: Graph, opts: DecorateOptions): ElementDefinition[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out: ElementDefinition[] = [];
  for (const n of graph.nodes) {
    const stale = opts.staleNodes?.has(n.id) ?? false;
    const v = nodeFindValues(n);
    const idle = n.inbound.rps === 0 && n.outbound.rps === 0;
    const policies = nodePolicyDecoration(n.policies);
    const alert = opts.alerts?.nodes.get(n.id);
    const label = withAlert(nodeLabel(n, stale), alert);
    out.push({
      group: 'nodes',
      data: {
        id: n.id,
        label: policies.glyphs === '' ? label : `${policies.glyphs} ${label}`,
        badges: policies.badges,
        kind: n.kind,
        namespace: n.namespace,
        name: n.name,
        app: n.app ?? '',
        version: n.version ?? '',
        health: n.health,
        colour: HEALTH_COLOURS[n.health],
        shape: NODE_SHAPES[n.kind],
      },
      classes: classes([
        stale && 'stale',
        alert !== undefined && `alerting alert-${alert}`,
        !n.hasSidecar && 'no-sidecar',
        ...policies.classes,
        opts.find?.(v) === true && 'found',
        ((opts.hideIdle === true && idle) || opts.hide?.(v) === true) && 'hidden',
      ]),
    });
  }
  for (const e of graph.edges) {
    const v = edgeFindValues(e, byId.get(e.target));
    const policies = edgePolicyDecoration(e);
    const alert = opts.alerts?.edges.get(e.id);
    out.push({
      group: 'edges',
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        label: withAlert(edgeLabel(e, opts.edgeLabel), alert),
        health: e.health,
        colour: HEALTH_COLOURS[e.health],
        width: edgeWidth(e.traffic.rps),
        badges: policies.badges,
      },
      classes: classes([
        e.weights.length > 0 && 'weighted',
        alert !== undefined && `alerting alert-${alert}`,
        ...policies.classes,
        opts.find?.(v) === true && 'found',
        ((opts.hideIdle === true && e.traffic.rps === 0) || opts.hide?.(v) === true) && 'hidden',
      ]),
    });
  }
  return out;
}
