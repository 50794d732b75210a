// The graph resource: GET /api/graph for the first answer (and for errors, such as a window the
// server cannot serve), then GET /api/events, whose `graph` events are written into the same query
// cache entry, so nothing polls while the stream is healthy. Keys are hierarchical,
// ['graph', graphType, namespaces, window], so every graph can be invalidated by the 'graph' prefix.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { AlertListSchema } from '../../../shared/api/alerts.ts';
import { type Graph, GraphSchema, type GraphType } from '../../../shared/api/graph.ts';
import { alertsKeys } from './alerts-client.ts';
import { ApiRequestError, fetchJson } from './fetch-json.ts';
import { throttleLatest } from './throttle-latest.ts';

export interface GraphParams {
  graphType: GraphType;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  /** Seconds; undefined: the server's default window. */
  window: number | undefined;
}

export const graphKeys = {
  all: ['graph'] as const,
  of: (p: GraphParams) => ['graph', p.graphType, [...p.namespaces].sort(), p.window ?? null] as const,
};

/** The query string both /api/graph and /api/events take (shared/api/graph-query.ts). */
export function graphSearch(p: GraphParams): string {
  const s = new URLSearchParams({ graphType: p.graphType });
  if (p.namespaces.length > 0) s.set('namespaces', [...p.namespaces].sort().join(','));
  if (p.window !== undefined) s.set('window', String(p.window));
  return s.toString();
}

export function getGraph(p: GraphParams, signal?: AbortSignal): Promise<Graph> {
  return fetchJson(`/api/graph?${graphSearch(p)}`, GraphSchema, signal ? { signal } : undefined);
}

/** A 4xx is an answer (a bad parameter), not an outage: asking again cannot change it. */
export function isClientError(e: unknown): e is ApiRequestError {
  return e instanceof ApiRequestError && e.status >= 400 && e.status < 500;
}

const sameShape = (a: readonly unknown[], b: readonly unknown[]) =>
  JSON.stringify(a.slice(0, 3)) === JSON.stringify(b.slice(0, 3));

export interface UseGraphOptions {
  /** Poll every this many ms: only while the event stream is down (the stream feeds the cache otherwise). */
  pollMs?: number | false;
  enabled?: boolean;
}

export function useGraph(p: GraphParams, opts: UseGraphOptions = {}) {
  const key = graphKeys.of(p);
  return useQuery({
    queryKey: key,
    queryFn: ({ signal }) => getGraph(p, signal),
    enabled: opts.enabled ?? true,
    refetchInterval: opts.pollMs ?? false,
    retry: (count, err) => !isClientError(err) && count < 3,
    // Every figure changes on every update: comparing 1,000 nodes deeply to reuse unchanged parts costs
    // more (~40 ms measured at 500 nodes) than it saves.
    structuralSharing: false,
    // A new window over the same nodes keeps the drawing (and its layout) until the answer comes;
    // another graph type or namespace set is another graph, drawn afresh.
    placeholderData: (prev, prevQuery) =>
      prevQuery && sameShape(prevQuery.queryKey, key) ? prev : undefined,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'off';

/** Back-off between reconnection attempts: 1 s, 2 s, 4 s … capped at 30 s, with ±20 % jitter. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface GraphEvents {
  state: StreamState;
  /** When the next reconnection attempt is due (epoch ms), while reconnecting. */
  retryAt: number | undefined;
}

/**
 * Subscribes to /api/events for `p` and writes each `graph` event into the cache entry useGraph
 * reads. Paused or disabled: no connection, no updates applied. EventSource's own retry is replaced
 * by ours, so a server that keeps failing is asked less and less often, and the page can say so.
 */
export function useGraphEvents(
  p: GraphParams,
  opts: { paused: boolean; enabled: boolean; refreshMs?: number },
): GraphEvents {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<GraphEvents>({ state: 'connecting', retryAt: undefined });
  const search = graphSearch(p);
  const keyJson = JSON.stringify(graphKeys.of(p));
  const refreshMs = opts.refreshMs ?? 0;

  useEffect(() => {
    if (opts.paused || !opts.enabled) {
      setStatus({ state: opts.paused ? 'paused' : 'off', retryAt: undefined });
      return;
    }
    const key = JSON.parse(keyJson) as unknown[];
    const updates = throttleLatest<Graph>(refreshMs, (g) => queryClient.setQueryData(key, g));
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const connect = () => {
      setStatus({ state: attempt === 0 ? 'connecting' : 'reconnecting', retryAt: undefined });
      const es = new EventSource(`/api/events?${search}`);
      source = es;
      es.addEventListener('open', () => {
        attempt = 0;
        setStatus({ state: 'live', retryAt: undefined });
      });
      es.addEventListener('graph', (ev: MessageEvent<string>) => {
        let body: unknown;
        try {
          body = JSON.parse(ev.data);
        } catch {
          body = undefined;
        }
        const parsed = GraphSchema.safeParse(body);
        if (parsed.success) updates.push(parsed.data);
        else console.warn('meshscope: a graph event did not match the contract', parsed.error.issues[0]);
      });
      // The alert list rides the same stream (server/api/events-router.ts).
      es.addEventListener('alerts', (ev: MessageEvent<string>) => {
        const parsed = AlertListSchema.safeParse(safeJson(ev.data));
        if (parsed.success) queryClient.setQueryData(alertsKeys.list, parsed.data);
      });
      es.addEventListener('error', () => {
        es.close();
        attempt++;
        const delay = reconnectDelay(attempt);
        setStatus({ state: 'reconnecting', retryAt: Date.now() + delay });
        timer = setTimeout(connect, delay);
      });
    };
    connect();
    return () => {
      source?.close();
      clearTimeout(timer);
      updates.cancel();
    };
  }, [search, keyJson, opts.paused, opts.enabled, refreshMs, queryClient]);

  return status;
}

/**
 * The graph the page shows, kept current by the event stream; polled only while the stream is down
 * (and not paused). A window or parameter the server rejects (4xx) opens no stream: the page shows why.
 */
export function useLiveGraph(p: GraphParams, paused: boolean, refreshMs = 0, pollMs = 10_000) {
  const [streamLive, setStreamLive] = useState(false);
  const query = useGraph(p, { pollMs: paused || streamLive ? false : pollMs });
  // Subscribe once the server has answered for these parameters: a rejected window (400) would only
  // make the stream fail and retry, and an unreachable API is retried by the poll.
  const answered = query.data !== undefined && !query.isPlaceholderData && !isClientError(query.error);
  const events = useGraphEvents(p, { paused, enabled: answered, refreshMs });
  useEffect(() => setStreamLive(events.state === 'live'), [events.state]);
  return { query, events };
}
