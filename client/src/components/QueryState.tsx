// Loading, error and empty states, said the same way on every page.
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

export function QueryState<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty: (data: T) => boolean;
  empty: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending)
    return (
      <p className="state" role="status">
        Loading…
      </p>
    );
  if (query.isError && query.data === undefined) {
    return (
      <p className="state" role="alert">
        The meshscope API is unreachable ({query.error.message}); retrying with back-off.
      </p>
    );
  }
  const data = query.data as T;
  return (
    <>
      {query.isError && (
        <p className="state" role="alert">
          Showing the last data received: the API stopped answering ({query.error.message}); retrying with
          back-off.
        </p>
      )}
      {isEmpty(data) ? <div className="state">{empty}</div> : children(data)}
    </>
  );
}

export const NO_SIDECARS = (
  <>
    <p>No sidecars found.</p>
    <p>
      Point meshscope at a mesh: <code>meshscope --targets targets.yaml</code>,{' '}
      <code>meshscope --kubeconfig ~/.kube/config</code>, or run the local demo with <code>npm start</code>.
    </p>
  </>
);
