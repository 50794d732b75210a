// What the user does to the graph rather than what it shows: refresh or pause live updates, re-run a
// layout, fit the view, export.
import { useId } from 'react';
import { LAYOUT_LABELS, LAYOUT_NAMES, type LayoutName } from './layout-names.ts';

export interface GraphActionsProps {
  paused: boolean;
  onTogglePause: () => void;
  onRefresh: () => void;
  refreshing: boolean;
  layout: LayoutName;
  onLayout: (name: LayoutName) => void;
  onFit: () => void;
  onExportPng: () => void;
  onExportJson: () => void;
  /** No graph drawn yet: nothing to lay out, fit or export. */
  disabled: boolean;
}

export function GraphActions(p: GraphActionsProps) {
  const id = useId();
  return (
    <div className="graph-actions">
      <button type="button" onClick={p.onRefresh} disabled={p.refreshing}>
        {p.refreshing ? 'Refreshing…' : 'Refresh'}
      </button>
      <button type="button" aria-pressed={p.paused} onClick={p.onTogglePause}>
        {p.paused ? 'Resume' : 'Pause'}
      </button>
      <label htmlFor={`${id}-layout`}>Layout</label>
      <select
        id={`${id}-layout`}
        value={p.layout}
        disabled={p.disabled}
        onChange={(e) => p.onLayout(e.currentTarget.value as LayoutName)}
      >
        {LAYOUT_NAMES.map((n) => (
          <option key={n} value={n}>
            {LAYOUT_LABELS[n]}
          </option>
        ))}
      </select>
      <button type="button" disabled={p.disabled} onClick={() => p.onLayout(p.layout)}>
        Re-layout
      </button>
      <button type="button" disabled={p.disabled} onClick={p.onFit}>
        Fit
      </button>
      <button type="button" disabled={p.disabled} onClick={p.onExportPng}>
        Export PNG
      </button>
      <button type="button" disabled={p.disabled} onClick={p.onExportJson}>
        Export JSON
      </button>
    </div>
  );
}
