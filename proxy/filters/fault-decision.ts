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

function headerValue(req: RequestHead, name: string): string | undefined {
  const i = req.lower.indexOf(name);
  return i < 0 ? undefined : req.values[i];
}

function headerUint(req: RequestHead, name: string): number | undefined {
  const v = headerValue(req, name);
  return v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : undefined;
}

/**
 * The percentage of a header-controlled fault (Envoy's HeaderPercentageProvider): the request's
 * `…-percentage` header as the numerator, capped at the configured one, over the configured denominator;
 * the configured percentage when the header is absent or not a number.
 */
export function headerPercentage(
  req: RequestHead,
  header: string,
  configured: FractionalPercent,
): FractionalPercent {
  const n = headerUint(req, header);
  return n === undefined
    ? configured
    : { numerator: Math.min(n, configured.numerator), denominator: configured.denominator };
}

/** Whether a fault fires: its percentage key, or the downstream cluster's own key (Envoy ORs the two). */
function enabled(
  env: FaultEnv,
  key: string,
  clusterKey: string | undefined,
  percentage: FractionalPercent,
): boolean {
  if (percentEnabled(env.runtime, key, percentage, env.random)) return true;
  return clusterKey !== undefined && percentEnabled(env.runtime, clusterKey, percentage, env.random);
}

/**
 * The delay to inject, in ms, or undefined. Envoy (FaultFilter::delayDuration): only when the delay is
 * enabled by its percentage; the duration is the runtime's `fixed_duration_ms`, else the config's (or,
 * with header_delay, the request's x-envoy-fault-delay-request); 0 ms means no delay.
 */
export function selectDelay(
  config: FaultConfig,
  env: FaultEnv,
  req: RequestHead,
  cluster?: string,
): number | undefined {
  const delay = config.delay;
  if (delay === undefined) return undefined;
  const percentage = delay.fromHeader
    ? headerPercentage(req, 'x-envoy-fault-delay-request-percentage', delay.percentage)
    : delay.percentage;
  const clusterKey = cluster === undefined ? undefined : downstreamKey(cluster, 'delay.fixed_delay_percent');
  if (!enabled(env, config.runtimeKeys.delayPercent, clusterKey, percentage)) return undefined;
  const configured = delay.fromHeader ? headerUint(req, 'x-envoy-fault-delay-request') : delay.fixedDelayMs;
  if (configured === undefined) return undefined;
  let ms = env.runtime.getInteger(config.runtimeKeys.delayDurationMs, configured);
  if (cluster !== undefined)
    ms = env.runtime.getInteger(downstreamKey(cluster, 'delay.fixed_duration_ms'), ms);
  return ms > 0 ? ms : undefined;
}

/**
 * The status to abort with, or undefined (FaultFilter::abortHttpStatus: percentage, then the runtime
 * status). With header_abort the status is the request's x-envoy-fault-abort-request, in [200, 600).
 */
export function selectAbort(
  config: FaultConfig,
  env: FaultEnv,
  req: RequestHead,
  cluster?: string,
): number | undefined {
  const abort = config.abort;
  if (abort === undefined) return undefined;
  const percentage = abort.fromHeader
    ? headerPercentage(req, 'x-envoy-fault-abort-request-percentage', abort.percentage)
    : abort.percentage;
  const clusterKey = cluster === undefined ? undefined : downstreamKey(cluster, 'abort.abort_percent');
  if (!enabled(env, config.runtimeKeys.abortPercent, clusterKey, percentage)) return undefined;
  let configured = abort.httpStatus;
  if (abort.fromHeader) {
    const fromHeader = headerUint(req, 'x-envoy-fault-abort-request');
    configured = fromHeader !== undefined && fromHeader >= 200 && fromHeader < 600 ? fromHeader : undefined;
  }
  if (configured === undefined) return undefined;
  let status = env.runtime.getInteger(config.runtimeKeys.abortHttpStatus, configured);
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
