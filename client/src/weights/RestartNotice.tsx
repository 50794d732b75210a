// After a static change on sidecars that read their bootstrap only at start (Envoy): the weights are
// written but not served yet. In Kubernetes the workload can be restarted from here (a rollout
// restart, one batch of pods at a time); elsewhere the person is told which sidecars to restart.
import type { RestartNeeded } from '../../../shared/api/weights.ts';
import { useRestartWorkload } from '../api/static-weights-client.ts';

export function RestartNotice({ restart }: { restart: RestartNeeded }) {
  const mutation = useRestartWorkload();
  return (
    <div className="restart-notice notice" role="alert">
      <p>
        <strong>Restart needed.</strong> {restart.reason}.
      </p>
      {restart.workloads.length === 0 ? (
        <p>Restart these sidecars yourself: {restart.sidecars.join(', ')}.</p>
      ) : (
        restart.workloads.map((w) => (
          <p key={`${w.namespace}/${w.name}`}>
            <button
              type="button"
              disabled={mutation.isPending || mutation.isSuccess}
              onClick={() => mutation.mutate(w)}
            >
              {mutation.isPending ? 'Restarting…' : `Restart ${w.namespace}/${w.name}`}
            </button>
            {mutation.isSuccess && ` Rollout restart started (restartedAt ${mutation.data.restartedAt}).`}
            {mutation.error && ` The restart failed: ${mutation.error.message}`}
          </p>
        ))
      )}
    </div>
  );
}
