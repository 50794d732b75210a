// Traffic policies (shared/api/policies.ts) as the side panel words them: one row per policy, what
// is configured in Envoy's terms and the figures that show it acting now.
import type { CircuitBreakerThresholds, Policies } from '../../../shared/api/policies.ts';
import { formatPercent, formatRps } from './traffic-format.ts';

export interface PolicyRow {
  key: string;
  label: string;
  /** The configuration in words. */
  config: string;
  /** Figures: what the policy did over the window (or holds now), '' when it has none. */
  figures: string;
  /** An open breaker, ejected hosts, injected faults: worth the reader's attention. */
  active: boolean;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function thresholdsText(t: CircuitBreakerThresholds): string {
  const parts: string[] = [];
  if (t.maxConnections !== undefined) parts.push(`max ${plural(t.maxConnections, 'connection')}`);
  if (t.maxPendingRequests !== undefined) parts.push(`${t.maxPendingRequests} pending`);
  if (t.maxRequests !== undefined) parts.push(`${plural(t.maxRequests, 'request')}`);
  if (t.maxRetries !== undefined) parts.push(`${plural(t.maxRetries, 'retry', 'retries')}`);
  return `${t.priority}: ${parts.length > 0 ? parts.join(', ') : 'defaults'}`;
}

/** A configured duration as written in a config: `250 ms`, `7 s`, `1.5 s`, `5 min`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))} s`;
  return `${Number(ms.toFixed(3))} ms`;
}

function percent(p: number): string {
  return formatPercent(p / 100);
}

export function policyRows(p: Policies | undefined): PolicyRow[] {
  if (p === undefined) return [];
  const rows: PolicyRow[] = [];
  const cb = p.circuitBreaker;
  if (cb !== undefined) {
    const figures = [
      cb.open.length > 0 ? `at capacity (open): ${cb.open.join(', ')}` : 'closed',
      `overflow (UO) ${formatRps(cb.overflowRps)}`,
    ];
    if (cb.retryOverflowRps > 0) figures.push(`retry overflow ${formatRps(cb.retryOverflowRps)}`);
    rows.push({
      key: 'circuitBreaker',
      label: 'Circuit breaker',
      config:
        cb.thresholds.length > 0
          ? cb.thresholds.map(thresholdsText).join('; ')
          : "Envoy's defaults (1,024 connections, pending, requests; 3 retries)",
      figures: figures.join(' · '),
      active: cb.open.length > 0 || cb.overflowRps > 0,
    });
  }
  const od = p.outlierDetection;
  if (od !== undefined) {
    const parts: string[] = [];
    if (od.consecutive5xx !== undefined) parts.push(`eject after ${od.consecutive5xx} consecutive 5xx`);
    if (od.consecutiveGatewayFailure !== undefined) {
      parts.push(`${od.consecutiveGatewayFailure} consecutive gateway failures`);
    }
    if (od.intervalMs !== undefined) parts.push(`checked every ${formatDuration(od.intervalMs)}`);
    if (od.baseEjectionTimeMs !== undefined) parts.push(`for ${formatDuration(od.baseEjectionTimeMs)}`);
    if (od.maxEjectionPercent !== undefined) parts.push(`at most ${percent(od.maxEjectionPercent)} of hosts`);
    rows.push({
      key: 'outlierDetection',
      label: 'Outlier detection',
      config: parts.join(', '),
      figures: `${plural(od.ejectedHosts, 'host')} ejected`,
      active: od.ejectedHosts > 0,
    });
  }
  const hc = p.healthCheck;
  if (hc !== undefined) {
    const parts = [`GET ${hc.path ?? '/'}`];
    if (hc.intervalMs !== undefined) parts.push(`every ${formatDuration(hc.intervalMs)}`);
    if (hc.unhealthyThreshold !== undefined) parts.push(`unhealthy after ${hc.unhealthyThreshold}`);
    if (hc.healthyThreshold !== undefined) parts.push(`healthy after ${hc.healthyThreshold}`);
    rows.push({
      key: 'healthCheck',
      label: 'Health check',
      config: parts.join(', '),
      figures:
        hc.healthyHosts !== null && hc.totalHosts !== null
          ? `${hc.healthyHosts} of ${plural(hc.totalHosts, 'host')} healthy`
          : '',
      active: hc.healthyHosts !== null && hc.totalHosts !== null && hc.healthyHosts < hc.totalHosts,
    });
  }
  if (p.hash !== undefined) {
    rows.push({
      key: 'hash',
      label: 'Consistent hash',
      config: `${p.hash.lbPolicy}${p.hash.hashOn.length > 0 ? ` on ${p.hash.hashOn.join(', ')}` : ''}`,
      figures: '',
      active: false,
    });
  }
  const r = p.retries;
  if (r !== undefined) {
    const on = r.retryOn.length > 0 ? ` on ${r.retryOn.join(', ')}` : '';
    const perTry = r.perTryTimeoutMs !== undefined ? `, ${formatDuration(r.perTryTimeoutMs)} per try` : '';
    rows.push({
      key: 'retries',
      label: 'Retries',
      config: `up to ${r.numRetries}${on}${perTry}`,
      figures: `${formatRps(r.rps)} retried`,
      active: r.rps > 0,
    });
  }
  const t = p.timeout;
  if (t !== undefined) {
    const idle = t.idleTimeoutMs !== undefined ? `, idle ${formatDuration(t.idleTimeoutMs)}` : '';
    rows.push({
      key: 'timeout',
      label: 'Timeout',
      config: `${t.timeoutMs === 0 ? 'disabled' : formatDuration(t.timeoutMs)}${idle}`,
      figures: `${formatRps(t.rps)} timed out (504 UT)`,
      active: t.rps > 0,
    });
  }
  const f = p.fault;
  if (f !== undefined) {
    const parts: string[] = [];
    if (f.delay !== undefined) {
      const d = f.delay.fixedDelayMs !== undefined ? formatDuration(f.delay.fixedDelayMs) : 'header-set';
      parts.push(`delay ${d} for ${percent(f.delay.percent)}`);
    }
    if (f.abort !== undefined) {
      parts.push(`abort ${f.abort.httpStatus ?? '(header-set status)'} for ${percent(f.abort.percent)}`);
    }
    if (f.headers.length > 0) parts.push(`when ${f.headers.join(' and ')}`);
    rows.push({
      key: 'fault',
      label: 'Fault injection',
      config: parts.join(', '),
      figures: `${formatRps(f.delaysRps)} delayed (DI) · ${formatRps(f.abortsRps)} aborted (FI)`,
      active: f.delaysRps > 0 || f.abortsRps > 0,
    });
  }
  if (p.mirrors !== undefined && p.mirrors.length > 0) {
    rows.push({
      key: 'mirror',
      label: 'Mirroring',
      config: p.mirrors.map((m) => `${m.cluster} (${percent(m.percent)})`).join(', '),
      figures: '',
      active: false,
    });
  }
  if (p.tls !== undefined) {
    rows.push({
      key: 'tls',
      label: 'TLS',
      config: `${p.tls.mutual ? 'mutual TLS (client certificate)' : 'TLS'}${p.tls.sni ? `, SNI ${p.tls.sni}` : ''}`,
      figures: '',
      active: false,
    });
  }
  return rows;
}
