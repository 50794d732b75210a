// Health of edges and nodes from their error ratios, with Kiali's default tolerances
// (kiali.io, "Health configuration": 5xx degraded above 0 %, failing at 10 %; 4xx degraded at 10 %,
// failing at 20 %). A ratio at or above a `failing` threshold fails; at or above a `degraded`
// threshold (and above zero, so a 0 threshold means "any") degrades; without traffic it is idle.
import type { Health, Traffic } from '../../shared/api/graph.ts';

export interface HealthThresholds {
  /** 5xx share of requests (0..1) from which traffic is degraded; 0 = any 5xx. */
  degraded5xx: number;
  failing5xx: number;
  degraded4xx: number;
  failing4xx: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  degraded5xx: 0,
  failing5xx: 0.1,
  degraded4xx: 0.1,
  failing4xx: 0.2,
});

const RANK: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failing: 3 };

/** The health of one traffic aggregate: idle without requests, else by its 5xx and 4xx ratios. */
export function trafficHealth(t: Traffic, thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS): Health {
  if (!(t.rps > 0)) return 'idle';
  return worstHealth(
    ratioHealth(t.status['5xx'] / t.rps, thresholds.degraded5xx, thresholds.failing5xx),
    ratioHealth(t.status['4xx'] / t.rps, thresholds.degraded4xx, thresholds.failing4xx),
  );
}

/**
 * A node is as unhealthy as the worse of what it receives and what it sends (Kiali rates a workload
 * on its inbound and outbound requests alike); idle only when both are idle.
 */
export function nodeHealth(
  inbound: Traffic,
  outbound: Traffic,
  thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
): Health {
  return worstHealth(trafficHealth(inbound, thresholds), trafficHealth(outbound, thresholds));
}

export function worstHealth(a: Health, b: Health): Health {
  return RANK[a] >= RANK[b] ? a : b;
}

function ratioHealth(ratio: number, degraded: number, failing: number): Health {
  if (ratio > 0 && ratio >= failing) return 'failing';
  if (ratio > 0 && ratio >= degraded) return 'degraded';
  return 'healthy';
}
