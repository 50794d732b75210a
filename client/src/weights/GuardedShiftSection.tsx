// The weight editor's "Guarded shift" section: the route's shift while it runs (or how the last one
// ended), and the form to start one when none is active.
import { useState } from 'react';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import {
  useGuardedShift,
  useGuardedShiftAction,
  useGuardedShiftEvents,
  useStartGuardedShift,
} from '../api/guarded-shift-client.ts';
import { ApplyError } from './ApplyError.tsx';
import { GuardedShiftForm } from './GuardedShiftForm.tsx';
import { GuardedShiftProgress } from './GuardedShiftProgress.tsx';
import './guarded-shift.css';

export function GuardedShiftSection({ route, onReload }: { route: WeightedRoute; onReload: () => void }) {
  useGuardedShiftEvents();
  const shift = useGuardedShift(route.id);
  const start = useStartGuardedShift();
  const act = useGuardedShiftAction(route.id);
  const [retry, setRetry] = useState<(() => void) | undefined>(undefined);
  const current = shift.data ?? undefined;
  const active = current !== undefined && (current.state === 'running' || current.state === 'paused');
  const error = start.error ?? act.error;
  const busy = start.isPending || act.isPending;

  return (
    <section className="guarded-shift" aria-labelledby="guarded-shift-title">
      <h3 id="guarded-shift-title">Guarded shift</h3>
      <p className="muted">
        Moves traffic to a canary step by step; each step is kept only while the canary's errors and p99 stay
        within the thresholds relative to the other clusters, otherwise the starting weights are put back.
      </p>
      {current && (
        <GuardedShiftProgress
          shift={current}
          busy={busy}
          onAction={(action) => {
            const run = () => {
              start.reset();
              act.mutate({ action });
            };
            setRetry(() => run);
            run();
          }}
        />
      )}
      {!active && (
        <GuardedShiftForm
          route={route}
          busy={busy}
          onStart={(request) => {
            const run = () => {
              act.reset();
              start.mutate({ routeId: route.id, version: route.version, request });
            };
            setRetry(() => run);
            run();
          }}
        />
      )}
      {error && <ApplyError error={error} onReload={onReload} onRetry={() => retry?.()} />}
    </section>
  );
}
