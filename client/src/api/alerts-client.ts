// The alerts resource: GET /api/alerts (current, and Prometheus' beside them) and GET
// /api/alerts/history. The graph page's event stream writes `alerts` events into the same cache entry
// (graph-client.ts); elsewhere the list is polled.
import { useQuery } from '@tanstack/react-query';
import {
  type AlertHistory,
  AlertHistorySchema,
  type AlertList,
  AlertListSchema,
} from '../../../shared/api/alerts.ts';
import { fetchJson } from './fetch-json.ts';

export const alertsKeys = {
  all: ['alerts'] as const,
  list: ['alerts', 'list'] as const,
  history: (limit: number) => ['alerts', 'history', limit] as const,
};

export function getAlerts(): Promise<AlertList> {
  return fetchJson('/api/alerts', AlertListSchema);
}

export function getAlertHistory(limit: number): Promise<AlertHistory> {
  return fetchJson(`/api/alerts/history?limit=${limit}`, AlertHistorySchema);
}

export function useAlerts() {
  return useQuery({ queryKey: alertsKeys.list, queryFn: getAlerts, refetchInterval: 5_000 });
}

export function useAlertHistory(limit = 1000) {
  return useQuery({
    queryKey: alertsKeys.history(limit),
    queryFn: () => getAlertHistory(limit),
    refetchInterval: 10_000,
  });
}
