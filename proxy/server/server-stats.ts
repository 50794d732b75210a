// Envoy's `server.*` stats (envoy_server_* in Prometheus), refreshed every second like Envoy's flush.
import type { ProxyServer } from './proxy-server.ts';

export const PROXY_VERSION = '1.0.0';

export function startServerStats(p: ProxyServer): () => void {
  const s = p.stats;
  const uptime = s.gauge('server.uptime');
  const live = s.gauge('server.live');
  const state = s.gauge('server.state');
  const memAlloc = s.gauge('server.memory_allocated');
  const memHeap = s.gauge('server.memory_heap_size');
  const memPhys = s.gauge('server.memory_physical_size');
  const conns = s.gauge('server.total_connections');
  const concurrency = s.gauge('server.concurrency');
  const version = s.gauge('server.version');
  const hotRestartEpoch = s.gauge('server.hot_restart_epoch');
  const daysCert = s.gauge('server.days_until_first_cert_expiring');
  const initialized = s.counter('server.envoy_bug_failures');
  initialized.used = true;
  concurrency.set(1);
  version.set(0);
  hotRestartEpoch.set(0);
  daysCert.set(2147483647);
  const tick = () => {
    uptime.set(Math.floor((Date.now() - p.startTime.getTime()) / 1000));
    // Envoy's server.state: 0 LIVE, 1 DRAINING, 2 PRE_INITIALIZING, 3 INITIALIZING.
    state.set(p.draining ? 1 : 0);
    live.set(p.draining || p.healthcheckFailed ? 0 : 1);
    const m = process.memoryUsage();
    memAlloc.set(m.heapUsed);
    memHeap.set(m.heapTotal);
    memPhys.set(m.rss);
    let n = 0;
    for (const l of p.listeners.values()) n += l.connections.size;
    conns.set(n);
  };
  tick();
  const t = setInterval(tick, 1000);
  t.unref();
  return () => clearInterval(t);
}
