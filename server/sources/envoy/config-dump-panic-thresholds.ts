// `/config_dump` → each cluster's load-balancer panic threshold, for splitting its traffic over its hosts
// as Envoy does (server/graph/destination-resolver.ts): `common_lb_config.healthy_panic_threshold`
// (config.cluster.v3.Cluster.CommonLbConfig), a type.v3.Percent. Envoy reads it rounded to a whole
// percent (`PROTOBUF_PERCENT_TO_ROUNDED_INTEGER_OR_DEFAULT(…, 100, 50)`), 50 when the field is unset.
// Istio sets it on clusters whose DestinationRule has `outlierDetection` (its `minHealthPercent`, 0 by
// default: panic off, printed `{}`); most clusters leave it out, often with `common_lb_config` itself,
// so only the clusters that set the threshold are listed and the rest keep Envoy's default.
import { configDumpParts } from './config-dump-walk.ts';
import { field, isJsonObject, objectField, stringField, wrappedNumberField } from './proto-json.ts';

/** Cluster name → its `healthy_panic_threshold` in whole percent (0 to 100), for the clusters that set it. */
export function panicThresholdsFromConfigDump(doc: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const cluster of configDumpParts(doc).clusters) {
    const name = stringField(cluster, 'name');
    if (name === undefined) continue;
    const percent = percentField(objectField(cluster, 'common_lb_config'), 'healthy_panic_threshold');
    if (percent !== undefined) out.set(name, Math.min(100, Math.max(0, Math.round(percent))));
  }
  return out;
}

/**
 * A type.v3.Percent `{ "value": N }`. proto3 JSON omits a zero `value`, so a threshold set to 0 (panic
 * disabled) is printed `{}`: present but empty means 0, absent means unset. Read bare too (`30`), as
 * some tools unwrap single-field messages.
 */
function percentField(obj: unknown, snake: string): number | undefined {
  const v = field(obj, snake);
  if (isJsonObject(v) && field(v, 'value') === undefined) return 0;
  return wrappedNumberField(obj, snake);
}
