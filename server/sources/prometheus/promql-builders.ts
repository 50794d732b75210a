// Small builders for the PromQL this source runs, so every query escapes label values and validates
// label names the same way (https://prometheus.io/docs/prometheus/latest/querying/basics/).

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Throws on a name PromQL would reject: names come from options, and a typo should fail loudly once. */
export function assertLabelName(name: string): string {
  if (!LABEL_NAME.test(name)) throw new Error(`not a Prometheus label name: ${JSON.stringify(name)}`);
  return name;
}

/** A label value as a PromQL string literal: backslash, double quote and newline escaped. */
export function quoteLabelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type Matcher = readonly [label: string, op: MatchOp, value: string];

/** `metric{a="x",b!~"y"}` followed by `extra`, raw matchers from the user's options (e.g. `job="envoy"`). */
export function selector(metric: string, matchers: readonly Matcher[] = [], extra = ''): string {
  if (!METRIC_NAME.test(metric)) throw new Error(`not a Prometheus metric name: ${JSON.stringify(metric)}`);
  const parts = matchers.map(
    ([label, op, value]) => `${assertLabelName(label)}${op}${quoteLabelValue(value)}`,
  );
  if (extra.trim() !== '') parts.push(extra.trim());
  return parts.length === 0 ? metric : `${metric}{${parts.join(',')}}`;
}

/** A PromQL duration for a whole number of seconds: 60 → "1m", 90 → "90s". */
export function promDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new Error(`window must be whole seconds > 0: ${seconds}`);
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function byClause(labels: readonly string[]): string {
  return `sum by (${[...new Set(labels)].map(assertLabelName).join(', ')})`;
}

/** `sum by (labels) (rate(<selector>[window]))`: per-second rate of a counter, summed over what is not kept. */
export function sumRate(sel: string, window: string, by: readonly string[]): string {
  return `${byClause(by)} (rate(${sel}[${window}]))`;
}

/**
 * `histogram_quantile(q, sum by (le, labels) (rate(<bucket selector>[window])))`: the quantile as
 * Prometheus interpolates it within a bucket; `le` must survive the sum or the buckets are lost.
 */
export function histogramQuantile(
  q: number,
  bucketSel: string,
  window: string,
  by: readonly string[],
): string {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile must be within [0, 1]: ${q}`);
  return `histogram_quantile(${q}, ${sumRate(bucketSel, window, ['le', ...by])})`;
}

/** `a or b or …`: the union of vectors whose label sets differ (e.g. the same stat under two tag names). */
export function union(queries: readonly string[]): string {
  return queries.length === 1 ? (queries[0] ?? '') : queries.map((q) => `(${q})`).join(' or ');
}
