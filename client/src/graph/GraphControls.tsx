// The controls that define what the graph shows: namespaces, graph type, rate window, edge labels
// and idle elements (find and hide are GraphFilters.tsx). Every control has a visible label and is a native form element, so
// keyboard focus and screen readers work without extra machinery.
import { useId } from 'react';
import type { GraphType } from '../../../shared/api/graph.ts';
import { EDGE_LABELS, type EdgeLabelMode } from './decorate.ts';
import { formatWindow } from './format.ts';
import { NamespacePicker } from './NamespacePicker.tsx';
import type { GraphUrlState } from './url-state.ts';

export const GRAPH_TYPES: Record<GraphType, string> = {
  versionedApp: 'Versioned app',
  app: 'App',
  workload: 'Workload',
  service: 'Service',
};

/** The windows offered (the server answers 400 for one its traffic source cannot serve). */
export const WINDOWS = [60, 300, 600, 1800, 3600] as const;

export interface GraphControlsProps {
  state: GraphUrlState;
  update: (patch: Partial<GraphUrlState>) => void;
  namespaces: readonly string[];
  /** The window of the graph on screen (the server's default when none was chosen). */
  shownWindow: number | undefined;
  /** The server rejected the view (a window its traffic source cannot serve): the id of its message. */
  rejectedBy?: string | undefined;
}

export function GraphControls({ state, update, namespaces, shownWindow, rejectedBy }: GraphControlsProps) {
  const id = useId();
  const current = state.window ?? shownWindow ?? WINDOWS[0];
  const windows = [...new Set<number>([...WINDOWS, current])].sort((a, b) => a - b);
  return (
    <div className="graph-controls">
      <NamespacePicker
        available={namespaces}
        selected={state.namespaces}
        onChange={(ns) => update({ namespaces: ns, selected: undefined })}
      />
      <label htmlFor={`${id}-type`}>Graph type</label>
      <select
        id={`${id}-type`}
        value={state.graphType}
        onChange={(e) => update({ graphType: e.currentTarget.value as GraphType, selected: undefined })}
      >
        {Object.entries(GRAPH_TYPES).map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-window`}>Window</label>
      <select
        id={`${id}-window`}
        value={current}
        aria-invalid={rejectedBy !== undefined}
        aria-describedby={rejectedBy}
        onChange={(e) => update({ window: Number(e.currentTarget.value) })}
      >
        {windows.map((w) => (
          <option key={w} value={w}>
            {formatWindow(w)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-label`}>Edge labels</label>
      <select
        id={`${id}-label`}
        value={state.edgeLabel}
        onChange={(e) => update({ edgeLabel: e.currentTarget.value as EdgeLabelMode })}
      >
        {Object.entries(EDGE_LABELS).map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={state.hideIdle}
          onChange={(e) => update({ hideIdle: e.currentTarget.checked })}
        />
        Hide idle
      </label>
    </div>
  );
}
