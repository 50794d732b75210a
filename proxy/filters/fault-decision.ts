// The decisions of Envoy's HTTP fault filter (envoy.filters.http.fault), as pure functions of the
// configuration, the request head, the runtime and a random draw: does the fault apply to this request
// (its `headers` matchers), is a delay or an abort selected (its percentage, overridable through the
// runtime), and how long / which status. Envoy's fault_filter.cc makes the same checks in this order:
// headers, then delay, then (after the delay) abort.

import type { FaultConfig, FractionalPercent } from '../config/model.ts';
import type { RequestHead } from '../http/head-parser.ts';
import type { IntegerRuntime } from '../router/cluster-choice.ts';
import { headerMatches } from '../router/route-table.ts';

/** What a decision reads besides the config and the request; `random` returns [0, 1). */
export interface FaultEnv {
  runtime: IntegerRuntime;
  random: () => number;
}

const ABSENT = -1;

/**
 * Whether the fault applies to this request: the caller is one of `downstream_nodes` (by its
 * x-envoy-downstream-service-node header) when those are set, and every `headers` matcher matches
 * (Envoy's HeaderUtility::matchHeaders); with neither, every request.
 */
export function faultMatchesRequest(config: FaultConfig, req: RequestHead): boolean {
  const nodes = config.downstreamNodes;
  if (nodes !== undefined) {
    const i = req.lower.indexOf('x-envoy-downstream-service-node');
    if (i < 0 || !nodes.includes(req.values[i]!)) return false;
  }
  for (let i = 0; i < config.headers.length; i++) if (!headerMatches(config.headers[i]!, req)) return false;
  return true;
}

/**
 * Envoy's Runtime::Snapshot::featureEnabled(key, FractionalPercent): a runtime integer replaces the
 * configured percentage and counts out of 100 (a value above 100 always fires); otherwise the configured
 * fraction. Fires when a uniform draw in [0, denominator) is below the numerator.
 */
export function percentEnabled(
  runtime: IntegerRuntime,
  key: string,
  configured: FractionalPercent,
  random: () => number,
): boolean {
  const fromRuntime = runtime.getInteger(key, ABSENT);
  let percent = configured;
  if (fromRuntime !== ABSENT) {
    if (fromRuntime > 100) return true;
    percent = { numerator: fromRuntime, denominator: 100 };
  }
  return Math.floor(random() * percent.denominator) < percent.numerator;
}

/** The `x-envoy-downstream-service-cluster` header: Envoy's per-downstream-cluster runtime keys and stats. */
export function downstreamServiceCluster(req: RequestHead): string | undefined {
  const i = req.lower.indexOf('x-envoy-downstream-service-cluster');
  const v = i < 0 ? undefined : req.values[i];
  return v === '' ? undefined : v;
}

/** `fault.http.delay.fixed_delay_percent` → `fault.http.<cluster>.delay.fixed_delay_percent`. */
function downstreamKey(cluster: string, suffix: string): string {
  return `fault.http.${cluster}.${suffix}`;
}

/**
 * The delay to inject, in ms, or undefined. Envoy (FaultFilter::delayDuration): only when the delay is
 * enabled by its percentage; the duration is the runtime's `fixed_duration_ms`, else the config's; 0 ms
 * means no delay.
 */
export function selectDelay(config: FaultConfig, env: FaultEnv, cluster?: string): number | undefined {
  const delay = config.delay;
  if (delay === undefined) return undefined;
  if (!percentEnabled(env.runtime, config.runtimeKeys.delayPercent, delay.percentage, env.random)) {
    // The downstream cluster's own percentage key may enable it instead.
    if (
      cluster === undefined ||
      !percentEnabled(
        env.runtime,
        downstreamKey(cluster, 'delay.fixed_delay_percent'),
        delay.percentage,
        env.random,
      )
    ) {
      return undefined;
    }
  }
  let ms = env.runtime.getInteger(config.runtimeKeys.delayDurationMs, delay.fixedDelayMs);
  if (cluster !== undefined)
    ms = env.runtime.getInteger(downstreamKey(cluster, 'delay.fixed_duration_ms'), ms);
  return ms > 0 ? ms : undefined;
}

/** The status to abort with, or undefined (FaultFilter::abortHttpStatus: percentage, then runtime status). */
export function selectAbort(config: FaultConfig, env: FaultEnv, cluster?: string): number | undefined {
  const abort = config.abort;
  if (abort === undefined) return undefined;
  if (!percentEnabled(env.runtime, config.runtimeKeys.abortPercent, abort.percentage, env.random)) {
    if (
      cluster === undefined ||
      !percentEnabled(
        env.runtime,
        downstreamKey(cluster, 'abort.abort_percent'),
        abort.percentage,
        env.random,
      )
    ) {
      return undefined;
    }
  }
  let status = env.runtime.getInteger(config.runtimeKeys.abortHttpStatus, abort.httpStatus);
  if (cluster !== undefined)
    status = env.runtime.getInteger(downstreamKey(cluster, 'abort.http_status'), status);
  return status;
}

/** `max_active_faults` (runtime `fault.http.max_active_faults` first); unlimited when neither is set. */
export function maxActiveFaults(config: FaultConfig, runtime: IntegerRuntime): number {
  return runtime.getInteger(
    config.runtimeKeys.maxActiveFaults,
    config.maxActiveFaults ?? Number.POSITIVE_INFINITY,
  );
}
