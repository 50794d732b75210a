// The side panel for the graph's selection: a node or an edge, looked up in the graph the page shows
// (so it follows live updates), and the weight editor when one of its routes is being edited.
import { useState } from 'react';
import type { Graph } from '../../../shared/api/graph.ts';
import { WeightEditor } from '../weights/WeightEditor.tsx';
import { EdgeDetail } from './EdgeDetail.tsx';
import { NodeDetail } from './NodeDetail.tsx';
import './panel.css';

export interface PanelSelection {
  id: string;
  kind: 'node' | 'edge';
}

export interface SidePanelProps {
  selection: PanelSelection | undefined;
  graph: Graph;
}

export function SidePanel({ selection, graph }: SidePanelProps) {
  const [editing, setEditing] = useState<string | undefined>();
  if (selection === undefined) return null;
  const node = selection.kind === 'node' ? graph.nodes.find((n) => n.id === selection.id) : undefined;
  const edge = selection.kind === 'edge' ? graph.edges.find((e) => e.id === selection.id) : undefined;
  return (
    <aside className="side-panel" aria-labelledby="side-panel-title" data-selection={selection.id}>
      {node && <NodeDetail key={node.id} node={node} onEditRoute={setEditing} />}
      {edge && <EdgeDetail key={edge.id} edge={edge} graph={graph} onEditRoute={setEditing} />}
      {!node && !edge && (
        <p className="state" id="side-panel-title">
          The selected {selection.kind} is not in the graph any more (no traffic in the window, or filtered
          out).
        </p>
      )}
      {editing !== undefined && <WeightEditor routeId={editing} onClose={() => setEditing(undefined)} />}
    </aside>
  );
}
