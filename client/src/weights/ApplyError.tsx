// Why a weight change was refused, said so the person knows what to do next: reload after a
// concurrent change (409), fix the named field (400), give the write token (401/403), or nothing to do
// on a --read-only dashboard.
import { ApiRequestError } from '../api/fetch-json.ts';
import { WeightChangeError } from '../api/weights-client.ts';
import { WriteTokenPrompt } from './WriteTokenPrompt.tsx';

export function ApplyError({
  error,
  onReload,
  onRetry,
}: {
  error: Error;
  onReload: () => void;
  onRetry: () => void;
}) {
  if (!(error instanceof ApiRequestError)) {
    return (
      <p className="apply-error" role="alert">
        The meshscope API did not answer ({error.message}); nothing was confirmed. Try again.
      </p>
    );
  }
  if (error.status === 409) {
    return (
      <p className="apply-error" role="alert">
        The route changed meanwhile — reload it and make the change again.{' '}
        <button type="button" onClick={onReload}>
          Reload
        </button>
      </p>
    );
  }
  if (error.code === 'read_only') {
    // No token helps: the dashboard was started --read-only (server/api/write-gate.ts).
    return (
      <p className="apply-error" role="alert">
        {error.message}.
      </p>
    );
  }
  if (error.status === 401 || error.status === 403) {
    return <WriteTokenPrompt message={error.message} onSaved={onRetry} />;
  }
  const field = error instanceof WeightChangeError ? error.field : undefined;
  return (
    <p className="apply-error" role="alert">
      {error.status === 400 ? 'Not applied: ' : `The change failed (HTTP ${error.status}): `}
      {error.message}
      {field !== undefined && ` (field ${field})`}
    </p>
  );
}
