// Turns one connection manager's configuration into what the request path reads per request: the
// route table, precomputed weighted choices, stats handles and the access log function.

import { compileAccessLogFormat } from '../access-log/access-log-format.ts';
import { type AccessLogSink, createAccessLogSink } from '../access-log/access-log-writer.ts';
import { compileJsonAccessLogFormat } from '../access-log/json-access-log-format.ts';
import type { HttpConnectionManager, RouteAction } from '../config/model.ts';
import { FaultFilter } from '../filters/fault-filter.ts';
import { prepareWeightedChoice, type WeightedChoice } from '../router/cluster-choice.ts';
import { buildRouteTable } from '../router/route-table.ts';
import type { StatsStore } from '../stats/store.ts';
import type { AccessLogRecord } from './access-log-record.ts';
import type { HcmContext } from './contexts.ts';
import { HcmStats } from './request-stats.ts';

/** Open sinks shared by every connection manager writing to the same place, keyed by `file:<path>` or stream. */
export type AccessLogSinks = Map<string, AccessLogSink>;

export function buildHcmContext(
  hcm: HttpConnectionManager,
  store: StatsStore,
  sinks: AccessLogSinks,
): HcmContext {
  const weighted = new Map<RouteAction, WeightedChoice>();
  for (const vh of hcm.routeConfig.virtualHosts) {
    for (const r of vh.routes) {
      if (r.action.kind !== 'route') continue;
      const w = prepareWeightedChoice(r.action);
      if (w) weighted.set(r.action, w);
    }
  }
  const loggers: ((r: AccessLogRecord) => void)[] = [];
  for (const a of hcm.accessLogs) {
    const key = a.sink === 'file' ? `file:${a.path}` : a.sink;
    let sink = sinks.get(key);
    if (!sink) {
      sink = createAccessLogSink(a.sink === 'file' ? { sink: 'file', path: a.path! } : { sink: a.sink });
      sinks.set(key, sink);
    }
    const format = a.jsonFormat ? compileJsonAccessLogFormat(a.jsonFormat) : compileAccessLogFormat(a.format);
    const s = sink;
    loggers.push((r) => s.write(format(r)));
  }
  let accessLog: ((r: AccessLogRecord) => void) | undefined;
  if (loggers.length === 1) accessLog = loggers[0];
  else if (loggers.length > 1)
    accessLog = (r) => {
      for (const l of loggers) l(r);
    };
  return {
    hcm,
    routes: buildRouteTable(hcm.routeConfig),
    weighted,
    stats: new HcmStats(store, hcm.statPrefix),
    upgradeTypes: new Set(hcm.upgradeTypes ?? []),
    accessLog,
    fault: faultFilterOf(hcm, store),
  };
}

function faultFilterOf(hcm: HttpConnectionManager, store: StatsStore): FaultFilter | undefined {
  for (const f of hcm.httpFilters) {
    if (f.name === 'envoy.filters.http.fault') return new FaultFilter(f.fault, store, hcm.statPrefix);
  }
  return undefined;
}
