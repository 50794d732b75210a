// What the user does to the graph rather than what it shows: refresh or pause live updates, re-run a
// layout, fit the view, export.
import { useId } from 'react';
import { LAYOUT_LABELS, LAYOUT_NAMES, type LayoutName } from './layout-names.ts';

/** How often live updates are applied: 0 = every scrape cycle. */
export const REFRESH_CHOICES = [
  { ms: 0, label: 'Live' },
  { ms: 10_000, label: 'Every 10 s' },
  { ms: 30_000, label: 'Every 30 s' },
  { ms: 60_000, label: 'Every minute' },
] as const;

export interface GraphActionsProps {
  refreshMs: number;
  onRefreshMs: (ms: number) => void;
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
      <label htmlFor={`${id}-refresh`}>Updates</label>
      <select
        id={`${id}-refresh`}
        value={p.refreshMs}
        onChange={(e) => p.onRefreshMs(Number(e.currentTarget.value))}
      >
        {REFRESH_CHOICES.map((c) => (
          <option key={c.ms} value={c.ms}>
            {c.label}
          </option>
        ))}
      </select>
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
