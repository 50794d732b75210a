// The offer on a route whose weights are in its bootstrap: add `runtime_key_prefix` there, so weights
// are set live through /runtime_modify from then on (no file rewrite, no restart for Envoy). The
// prefix is shown before anything is written; the default names the route.
import { useState } from 'react';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import { defaultRuntimePrefix } from '../../../shared/api/weights.ts';
import { useConvertToRuntime } from '../api/static-weights-client.ts';
import { RestartNotice } from './RestartNotice.tsx';

function routeIndexOf(route: WeightedRoute): number {
  return Number(route.id.slice(route.id.lastIndexOf('/') + 1)) || 0;
}

export function ConvertToRuntime({ route, onConverted }: { route: WeightedRoute; onConverted: () => void }) {
  const fallback = defaultRuntimePrefix({ ...route, routeIndex: routeIndexOf(route) });
  const [prefix, setPrefix] = useState(fallback);
  const mutation = useConvertToRuntime();
  const result = mutation.data;
  return (
    <section className="convert-to-runtime" aria-label="Convert to runtime weights">
      <p className="muted">
        These weights are written in the sidecars’ bootstrap. With a runtime key prefix they are set live
        instead (and kept in the runtime directory).
      </p>
      <label>
        Runtime key prefix{' '}
        <input
          type="text"
          value={prefix}
          spellCheck={false}
          onChange={(e) => setPrefix(e.target.value)}
          disabled={mutation.isPending || mutation.isSuccess}
        />
      </label>{' '}
      <button
        type="button"
        disabled={mutation.isPending || mutation.isSuccess || prefix.trim() === ''}
        onClick={() =>
          mutation.mutate(
            { routeId: route.id, version: route.version, prefix: prefix.trim() },
            { onSuccess: onConverted },
          )
        }
      >
        {mutation.isPending ? 'Converting…' : 'Convert to runtime weights'}
      </button>
      {mutation.error && (
        <p className="apply-error" role="alert">
          Not converted: {mutation.error.message}
        </p>
      )}
      {result && (
        <div role="status">
          <p>
            Converted: runtime_key_prefix <code>{result.prefix}</code> written to{' '}
            {result.persisted.map((p) => p.location).join(', ')}.
          </p>
          {result.warnings?.map((w) => (
            <p key={w} className="notice">
              {w}
            </p>
          ))}
          {result.restartNeeded && <RestartNotice restart={result.restartNeeded} />}
        </div>
      )}
    </section>
  );
}
