// The rules meshscope evaluates out of the box, with the settings a rules file may change. Ratios are
// fractions (0.01 = 1%), latency in milliseconds, `for` in seconds; `minRequests` counts the requests of
// the rate window below which a ratio says nothing (a single failed request of two is not 50% down).
import type { AlertRuleId, AlertRuleSettings } from '../../shared/api/alerts.ts';

export interface RuleDefinition {
  description: string;
  /** What `threshold` means for this rule, for error messages and the rules page. */
  thresholdMeaning: string;
  /** Bounds of `threshold`. */
  thresholdRange: [number, number];
  defaults: AlertRuleSettings;
}

const on = (
  severity: AlertRuleSettings['severity'],
  forSeconds: number,
  threshold: number,
  minRequests = 0,
) => ({
  enabled: true,
  severity,
  for: forSeconds,
  threshold,
  minRequests,
});

export const RULE_DEFINITIONS: Readonly<Record<AlertRuleId, RuleDefinition>> = {
  edge503Ratio: {
    description: "An edge's 503 responses above the threshold share of its requests",
    thresholdMeaning: 'a ratio of requests, 0..1',
    thresholdRange: [0, 1],
    defaults: on('critical', 60, 0.01, 20),
  },
  edge5xxRatio: {
    description: "An edge's 5xx responses above the threshold share of its requests",
    thresholdMeaning: 'a ratio of requests, 0..1',
    thresholdRange: [0, 1],
    defaults: on('warning', 60, 0.05, 20),
  },
  edgeLatencyP99: {
    description: "An edge's 99th percentile latency above the threshold",
    thresholdMeaning: 'milliseconds',
    thresholdRange: [0, 3_600_000],
    defaults: on('warning', 120, 1000, 20),
  },
  // A breaker at its limit is a warning: Envoy sets `cx_open` whenever the connections in use reach
  // `max_connections`, which a kept-alive pool at a limit of 1 does all the time (the labs' breaker)
  // without refusing anything. Refused requests are upstreamOverflow, which is critical.
  circuitBreakerOpen: {
    description:
      "A circuit breaker of an upstream cluster is open (Envoy's circuit_breakers.<priority>.*_open gauges)",
    thresholdMeaning: 'open breakers tolerated',
    thresholdRange: [0, 100],
    defaults: on('warning', 0, 0),
  },
  upstreamOverflow: {
    description:
      'Requests or connections refused by a circuit breaker (UO: upstream_rq_pending_overflow, upstream_cx_overflow)',
    thresholdMeaning: 'overflows per second tolerated',
    thresholdRange: [0, 1_000_000],
    defaults: on('critical', 0, 0),
  },
  outlierEjections: {
    description:
      'Hosts of an upstream cluster ejected by outlier detection (outlier_detection.ejections_active)',
    thresholdMeaning: 'ejected hosts tolerated',
    thresholdRange: [0, 1_000_000],
    defaults: on('warning', 0, 0),
  },
  unhealthyHosts: {
    description:
      'An upstream cluster has fewer healthy hosts than hosts (membership_healthy < membership_total)',
    thresholdMeaning: 'unhealthy hosts tolerated',
    thresholdRange: [0, 1_000_000],
    defaults: on('warning', 30, 0),
  },
  weightShareDrift: {
    description:
      "A weighted route's observed share of a cluster outside the binomial interval around its configured weight, given the requests seen",
    thresholdMeaning: 'the confidence of the interval, e.g. 0.999',
    thresholdRange: [0.5, 0.999999],
    defaults: on('warning', 120, 0.999, 100),
  },
  replicaWeightsDrift: {
    description: 'A replica whose runtime weights differ from the weights set through meshscope',
    thresholdMeaning: 'unused (0)',
    thresholdRange: [0, 0],
    defaults: on('warning', 30, 0),
  },
  sidecarScrapeFailing: {
    description: "A sidecar whose admin endpoint could not be scraped for the rule's `for`",
    thresholdMeaning: 'unused (0)',
    thresholdRange: [0, 0],
    defaults: on('critical', 30, 0),
  },
  trafficStopped: {
    description:
      'An edge that carried at least the threshold requests per second within the last 10 minutes carries none',
    thresholdMeaning: 'requests per second the edge had before',
    thresholdRange: [0, 1_000_000],
    defaults: on('warning', 60, 0.1),
  },
};

/** How long an edge's last traffic counts for trafficStopped. */
export const TRAFFIC_MEMORY_MS = 10 * 60_000;
