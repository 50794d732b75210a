// Which cluster a route sends a request to. For weighted_clusters with runtime_key_prefix, Envoy
// reads the runtime key `<prefix>.<cluster>` on every request (falling back to the configured weight),
// so a POST /runtime_modify or a runtime disk-layer swap shifts traffic with no config reload.

import type { RouteAction } from '../config/model.ts';

export interface IntegerRuntime {
  getInteger(key: string, fallback: number): number;
}

export interface WeightedChoice {
  names: readonly string[];
  configured: readonly number[];
  /** Precomputed `<prefix>.<name>` keys, so the per-request path does no string building. */
  keys: readonly string[] | undefined;
  scratch: number[];
}

export function prepareWeightedChoice(action: RouteAction): WeightedChoice | undefined {
  const wc = action.weightedClusters;
  if (!wc) return undefined;
  const names = wc.clusters.map((c) => c.name);
  return {
    names,
    configured: wc.clusters.map((c) => c.weight),
    keys: wc.runtimeKeyPrefix !== undefined ? names.map((n) => `${wc.runtimeKeyPrefix}.${n}`) : undefined,
    scratch: new Array<number>(names.length).fill(0),
  };
}

/** The current weights (runtime overrides applied). */
export function currentWeights(choice: WeightedChoice, runtime: IntegerRuntime): number[] {
  const w = choice.scratch;
  for (let i = 0; i < choice.names.length; i++) {
    w[i] = choice.keys ? runtime.getInteger(choice.keys[i]!, choice.configured[i]!) : choice.configured[i]!;
  }
  return w;
}

/**
 * Picks a cluster name in proportion to the weights; `rand` in [0, 1). Returns undefined when every
 * weight is zero (Envoy then has no cluster to route to and answers 503).
 */
export function chooseWeightedCluster(
  choice: WeightedChoice,
  runtime: IntegerRuntime,
  rand: number,
): string | undefined {
  const w = currentWeights(choice, runtime);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  if (total <= 0) return undefined;
  let r = Math.floor(rand * total);
  for (let i = 0; i < w.length; i++) {
    r -= w[i]!;
    if (r < 0) return choice.names[i];
  }
  return choice.names[choice.names.length - 1];
}
