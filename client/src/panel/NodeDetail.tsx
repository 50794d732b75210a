// A node's panel: who it is, what it receives and sends, its history, the weighted routes it splits,
// and its sidecar (live clusters and configuration).
import type { GraphNode } from '../../../shared/api/graph.ts';
import { HistorySparklines } from './HistorySparklines.tsx';
import { identityRows, nodeTitle } from './node-identity.ts';
import { PolicyList } from './PolicyList.tsx';
import { RouteWeights } from './RouteWeights.tsx';
import { SidecarSection } from './SidecarSection.tsx';
import { TrafficFigures } from './TrafficFigures.tsx';
import { useNodeContext } from './use-node-context.ts';

export function NodeDetail({
  node,
  onEditRoute,
}: {
  node: GraphNode;
  onEditRoute: (routeId: string) => void;
}) {
  const ctx = useNodeContext(node);
  return (
    <>
      <header className="panel-header">
        <h2 id="side-panel-title">{nodeTitle(node)}</h2>
        <span className={`health health-${node.health}`}>{node.health}</span>
      </header>
      <dl className="kv">
        {identityRows(node).map(([k, v]) => (
          <div key={k} className="kv-row">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        {ctx.workloads.length > 1 && (
          <div className="kv-row">
            <dt>Workloads</dt>
            <dd>{ctx.workloads.map((w) => w.workload).join(', ')}</dd>
          </div>
        )}
      </dl>
      <TrafficFigures title="Inbound" traffic={node.inbound} />
      <TrafficFigures title="Outbound" traffic={node.outbound} />
      <PolicyList policies={node.policies} title="Policies towards it" />
      <HistorySparklines kind="node" id={node.id} />
      {ctx.routes.length > 0 && (
        <section className="panel-section" aria-label="Weighted routes">
          <h3>Weighted routes</h3>
          {ctx.routes.map((r) => (
            <RouteWeights key={r.id} route={r} onEdit={onEditRoute} />
          ))}
        </section>
      )}
      {node.hasSidecar &&
        (ctx.sidecars.length > 0 ? (
          <SidecarSection sidecars={ctx.sidecars} />
        ) : (
          <p className="muted">
            {ctx.loading ? 'Finding its sidecars…' : 'Its sidecars are not in the inventory.'}
          </p>
        ))}
    </>
  );
}
