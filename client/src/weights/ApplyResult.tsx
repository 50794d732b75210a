// What an apply (or an undo) did, replica by replica: applied (read back from its /runtime), pending
// (it will get the weights when it returns, or, for a static change on Envoy, once restarted), or
// failed and why.
import type { WeightChangeResult } from '../../../shared/api/weights.ts';
import { RestartNotice } from './RestartNotice.tsx';

const STRATEGY: Record<WeightChangeResult['strategy'], string> = {
  runtime: 'runtime override on each replica, kept in the runtime directory',
  static: 'the bootstrap weights rewritten',
  istio: 'the VirtualService patched',
};

const shares = (names: readonly string[], w: Readonly<Record<string, number>>) =>
  names.map((n) => w[n] ?? 0).join('/');

export function ApplyResult({
  names,
  result,
  undone,
}: {
  names: readonly string[];
  result: WeightChangeResult;
  undone: boolean;
}) {
  const failed = result.replicas.filter((r) => r.status === 'failed').length;
  return (
    <div className="apply-result" role="status">
      <p>
        {undone ? 'Undone' : 'Applied'}: {shares(names, result.from)} → {shares(names, result.to)} (
        {STRATEGY[result.strategy]}).
        {failed > 0 && ` ${failed} of ${result.replicas.length} replicas failed.`}
      </p>
      <ul className="replica-results">
        {result.replicas.map((r) => (
          <li key={r.sidecarId} data-replica={r.sidecarId} className={`replica-${r.status}`}>
            <span className="replica-id">{r.sidecarId}</span>{' '}
            <span className="replica-status">{r.status}</span>
            {r.error && <span className="replica-error"> — {r.error}</span>}
          </li>
        ))}
      </ul>
      {result.restartNeeded && <RestartNotice restart={result.restartNeeded} />}
    </div>
  );
}
