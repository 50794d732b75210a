// The one-click shift: a modal editor for one weighted route. It edits from the version it loaded and
// sends that version as If-Match, so a change made meanwhile by someone else (or by a reconciliation)
// is a 409, never silently overwritten. After an apply it shows each replica's outcome and offers Undo,
// which puts the previous weights back against the new version. On a dashboard started --read-only
// the weights, history and shifts are shown with every control disabled.
import { useEffect, useId, useReducer, useRef, useState } from 'react';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import type { WeightChangeResult } from '../../../shared/api/weights.ts';
import { useReadOnly } from '../api/config-client.ts';
import { useRoutes } from '../api/routes-client.ts';
import { type ApplyWeights, useApplyWeights, WeightChangeError } from '../api/weights-client.ts';
import { ApplyError } from './ApplyError.tsx';
import { ApplyResult } from './ApplyResult.tsx';
import { ConvertToRuntime } from './ConvertToRuntime.tsx';
import { GuardedShiftSection } from './GuardedShiftSection.tsx';
import { presets } from './rebalance.ts';
import { WeightRows } from './WeightRows.tsx';
import { changeRequest, editorReducer, initialEditorState, isChanged } from './weight-editor-state.ts';
import './weights.css';
import { ReasonField } from './ReasonField.tsx';

export interface WeightEditorProps {
  routeId: string;
  onClose: () => void;
}

export function WeightEditor({ routeId, onClose }: WeightEditorProps) {
  const routes = useRoutes();
  const route = routes.data?.routes.find((r) => r.id === routeId);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // Bumped by "Reload": the editor starts again from the route as it is now.
  const [generation, setGeneration] = useState(0);
  // Kept on screen once converted, though the route is a runtime one from the next scrape on.
  const [converted, setConverted] = useState(false);
  const readOnly = useReadOnly();

  useEffect(() => {
    const d = dialog.current;
    // Modal: focus moves into the dialog and stays there; Escape closes it (the `close` event).
    if (d && !d.open) d.showModal();
  }, []);

  const reload = async () => {
    await routes.refetch();
    setGeneration((g) => g + 1);
  };

  return (
    <dialog ref={dialog} className="weight-editor" aria-labelledby={titleId} onClose={onClose}>
      <header className="weight-editor-header">
        <h2 id={titleId}>
          Weights{route && `: ${route.source.namespace}/${route.source.workload} → ${route.virtualHost}`}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close the weight editor">
          ×
        </button>
      </header>
      {route === undefined ? (
        <p className="state" role={routes.isPending ? 'status' : 'alert'}>
          {routes.isPending ? 'Loading…' : `The route ${routeId} is not reported any more.`}
        </p>
      ) : (
        <>
          {readOnly && (
            <p className="notice read-only-notice" role="note">
              This dashboard runs with <code>--read-only</code>: weights can be looked at here, not changed.
            </p>
          )}
          {/* A disabled fieldset disables every control inside it, the nested forms' too (HTML §4.10.15). */}
          <fieldset className="editor-writes" disabled={readOnly}>
            <EditorBody key={generation} route={route} routeId={routeId} onReload={reload} />
            {(route.strategy === 'static' || converted) && (
              <ConvertToRuntime route={route} onConverted={() => setConverted(true)} />
            )}
            <GuardedShiftSection route={route} onReload={reload} />
          </fieldset>
        </>
      )}
    </dialog>
  );
}

function EditorBody({
  route,
  routeId,
  onReload,
}: {
  /** The route as reported now; the editor's starting point is taken from it once, at mount. */
  route: WeightedRoute;
  routeId: string;
  onReload: () => void;
}) {
  const [state, dispatch] = useReducer(editorReducer, route, initialEditorState);
  const [reason, setReason] = useState('');
  const [last, setLast] = useState<{ result: WeightChangeResult; undone: boolean } | undefined>();
  const apply = useApplyWeights();
  // Versions this editor has seen or produced: the routes list catches up with an apply one scrape
  // later, so only a version outside this set means someone else changed the route.
  const known = useRef(new Set([route.version]));
  const lastCall = useRef<{ vars: ApplyWeights; undo: boolean } | undefined>(undefined);

  const send = (vars: ApplyWeights, undo: boolean) => {
    lastCall.current = { vars, undo };
    apply.mutate(vars, {
      onSuccess: (result) => {
        known.current.add(result.version);
        dispatch({ type: 'rebase', version: result.version, weights: result.to });
        setLast({ result, undone: undo });
      },
    });
  };

  const changedElsewhere = !known.current.has(route.version) && !apply.isPending;
  const busy = apply.isPending;
  const unchanged = !isChanged(state);
  const error = apply.error;
  // A 400 names its field as a path: `weights.<cluster>` points at one row.
  const invalidCluster =
    error instanceof WeightChangeError && error.field?.startsWith('weights.')
      ? error.field.slice('weights.'.length)
      : undefined;

  return (
    <form
      className="weight-editor-body"
      onSubmit={(e) => {
        e.preventDefault();
        send({ routeId, version: state.base.version, request: changeRequest(state, reason) }, false);
      }}
    >
      <p className="muted">
        {route.match} · {route.replicas.length} replica{route.replicas.length === 1 ? '' : 's'}
        {' · '}
        <span className="weight-strategy" data-strategy={route.strategy ?? ''}>
          {strategyLabel(route)}
        </span>
      </p>
      {changedElsewhere && (
        <p className="notice" role="alert">
          The route changed since the editor loaded it.{' '}
          <button type="button" onClick={onReload}>
            Reload
          </button>
        </p>
      )}
      <fieldset className="weight-presets" disabled={busy}>
        <legend>Presets</legend>
        {presets(state.names.length, state.total).map((p) => (
          <button
            key={p.label}
            type="button"
            title={p.description}
            aria-label={`Preset ${p.label}: ${p.description}`}
            onClick={() => dispatch({ type: 'preset', weights: p.weights })}
          >
            {p.label}
          </button>
        ))}
        <button type="button" onClick={() => dispatch({ type: 'even' })}>
          Even split
        </button>
        <button type="button" onClick={() => dispatch({ type: 'reset' })} disabled={unchanged}>
          Reset
        </button>
      </fieldset>
      <WeightRows
        state={state}
        live={route}
        dispatch={dispatch}
        invalidCluster={invalidCluster}
        disabled={busy}
      />
      <p className="weight-total" aria-live="polite">
        Total {state.weights.reduce((a, w) => a + w, 0)} of {state.total}
      </p>
      <div className="weight-actions">
        <ReasonField value={reason} onChange={setReason} />
        <button type="submit" className="primary" disabled={busy || unchanged}>
          {busy ? 'Applying…' : 'Apply'}
        </button>
        {last && !last.undone && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              send(
                {
                  routeId,
                  version: last.result.version,
                  request: { weights: last.result.from, reason: `undo of ${last.result.auditId}` },
                },
                true,
              )
            }
          >
            Undo
          </button>
        )}
      </div>
      {error && (
        <ApplyError
          error={error}
          onReload={onReload}
          onRetry={() => lastCall.current && send(lastCall.current.vars, lastCall.current.undo)}
        />
      )}
      {last && !error && <ApplyResult names={state.names} result={last.result} undone={last.undone} />}
    </form>
  );
}

/** How this route's weights are applied (GET /api/routes `strategy`). */
function strategyLabel(route: WeightedRoute): string {
  if (route.strategy === 'istio') return 'Istio VirtualService';
  if (route.strategy === 'static' || route.runtimeKeyPrefix === null) return 'static weights (bootstrap)';
  return `runtime ${route.runtimeKeyPrefix}`;
}
