// What the graph area says when there is no graph to draw, and the banners above a graph that is
// drawn but not quite current (API gone, sidecars not answering).
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { Graph } from '../../../shared/api/graph.ts';
import type { SidecarStatus } from '../../../shared/api/sidecars.ts';
import { isClientError } from '../api/graph-client.ts';
import { NO_SIDECARS } from '../components/QueryState.tsx';

export const REJECTED_ID = 'graph-view-rejected';

/** The graph area's content when nothing can be drawn; undefined when there is a graph to draw. */
export function graphPlaceholder(query: UseQueryResult<Graph>, sidecarCount: number | undefined): ReactNode {
  if (isClientError(query.error))
    return (
      <div className="state" role="alert" id={REJECTED_ID}>
        <p>The server cannot show this view: {query.error.message}.</p>
        <p>Choose another window or graph type above.</p>
      </div>
    );
  if (query.data === undefined && query.isError)
    return (
      <p className="state" role="alert">
        The meshscope API is unreachable ({query.error.message}); retrying with back-off.
      </p>
    );
  if (query.data === undefined)
    return (
      <p className="state" role="status">
        Loading the graph…
      </p>
    );
  if (query.data.nodes.length === 0)
    return sidecarCount === 0 ? (
      <div className="state">{NO_SIDECARS}</div>
    ) : (
      <div className="state">
        <p>
          No workloads or traffic in{' '}
          {query.data.namespaces.length > 0 ? query.data.namespaces.join(', ') : 'the mesh'} yet.
        </p>
        <p>Pick other namespaces, or wait for the next scrape.</p>
      </div>
    );
  return undefined;
}

export function GraphBanners({
  query,
  staleSidecars,
  staleNodes,
}: {
  query: UseQueryResult<Graph>;
  staleSidecars: readonly SidecarStatus[];
  staleNodes: number;
}) {
  return (
    <>
      {query.isError && query.data !== undefined && !isClientError(query.error) && (
        <p className="banner banner-error" role="alert">
          Showing the last graph received: the API stopped answering ({query.error.message}); retrying.
        </p>
      )}
      {staleSidecars.length > 0 && (
        <p className="banner banner-stale" role="status">
          {staleSidecars.length === 1
            ? '1 sidecar failed its last scrape'
            : `${staleSidecars.length} sidecars failed their last scrape`}
          {staleNodes > 0
            ? `; ${staleNodes === 1 ? 'its node shows' : 'their nodes show'} the last figures, marked ⚠`
            : ''}
          . <a href="#/sidecars">See the sidecars</a>.
        </p>
      )}
    </>
  );
}
