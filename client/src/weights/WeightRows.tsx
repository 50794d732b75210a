// One row per cluster: lock, slider and number (both move the same weight), the share it gives, the
// share the route has now and the share observed, and "promote".
import type { Dispatch } from 'react';
import { useRef } from 'react';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import { formatPercent } from '../panel/traffic-format.ts';
import type { EditorAction, EditorState } from './weight-editor-state.ts';

export interface WeightRowsProps {
  state: EditorState;
  /** The route as the API reports it now (live configured and observed shares). */
  live: WeightedRoute | undefined;
  dispatch: Dispatch<EditorAction>;
  /** Cluster named by a 400's field (`weights.<cluster>`), marked invalid. */
  invalidCluster: string | undefined;
  disabled: boolean;
}

export function WeightRows({ state, live, dispatch, invalidCluster, disabled }: WeightRowsProps) {
  // The weights when a slider drag (or a run of arrow keys) began: see editorReducer's `from`.
  const gesture = useRef<number[] | undefined>(undefined);
  const liveTotal = live?.clusters.reduce((a, c) => a + c.effectiveWeight, 0) ?? 0;
  const begin = () => {
    gesture.current ??= state.weights;
  };
  const end = () => {
    gesture.current = undefined;
  };
  return (
    <table className="data weight-rows">
      <thead>
        <tr>
          <th scope="col">Cluster</th>
          <th scope="col">Lock</th>
          <th scope="col">Weight</th>
          <th scope="col">New share</th>
          <th scope="col">Configured now</th>
          <th scope="col">Observed</th>
          <th scope="col">
            <span className="visually-hidden">Promote</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {state.names.map((name, i) => {
          const c = live?.clusters.find((x) => x.name === name);
          const w = state.weights[i] ?? 0;
          const locked = state.locked[i] ?? false;
          const invalid = invalidCluster === name;
          const sliderId = `weight-${i}`;
          return (
            <tr key={name} data-cluster={name} className={invalid ? 'invalid' : undefined}>
              <th scope="row">
                <label htmlFor={sliderId}>{name}</label>
                {c?.destination && <div className="muted">→ {destinationName(c.destination)}</div>}
              </th>
              <td>
                <input
                  type="checkbox"
                  checked={locked}
                  disabled={disabled}
                  aria-label={`Lock the weight of ${name}`}
                  onChange={(e) => dispatch({ type: 'lock', index: i, locked: e.target.checked })}
                />
              </td>
              <td>
                <div className="weight-inputs">
                  <input
                    id={sliderId}
                    type="range"
                    min={0}
                    max={state.total}
                    step={1}
                    value={w}
                    disabled={disabled || locked}
                    aria-invalid={invalid || undefined}
                    onPointerDown={begin}
                    onKeyDown={begin}
                    onPointerUp={end}
                    onKeyUp={end}
                    onBlur={end}
                    onChange={(e) =>
                      dispatch({
                        type: 'set',
                        index: i,
                        value: Number(e.target.value),
                        ...(gesture.current ? { from: gesture.current } : {}),
                      })
                    }
                  />
                  <input
                    type="number"
                    min={0}
                    max={state.total}
                    step={1}
                    value={w}
                    disabled={disabled || locked}
                    aria-label={`Weight of ${name}`}
                    aria-invalid={invalid || undefined}
                    onChange={(e) => {
                      if (e.target.value !== '')
                        dispatch({ type: 'set', index: i, value: Number(e.target.value) });
                    }}
                  />
                </div>
              </td>
              <td>{formatPercent(w / state.total)}</td>
              <td>
                {c === undefined ? '–' : formatPercent(liveTotal > 0 ? c.effectiveWeight / liveTotal : 0)}
              </td>
              <td>{formatPercent(c?.observedShare)}</td>
              <td>
                <button
                  type="button"
                  disabled={disabled}
                  onClick={() => dispatch({ type: 'promote', index: i })}
                  aria-label={`Promote ${name}: send it 100 %`}
                >
                  Promote
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** `workload:default:backend-v1` → `backend-v1` (graph node ids: kind, namespace, name[, version]). */
function destinationName(nodeId: string): string {
  const parts = nodeId.split(':');
  if (parts.length < 3) return nodeId;
  const name = parts.slice(2).join(' ');
  try {
    // Parts escape every other byte as `~XX` (server/graph/graph-ids.ts).
    return decodeURIComponent(name.replace(/~/g, '%'));
  } catch {
    return name;
  }
}
