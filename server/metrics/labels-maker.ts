// Label objects built in one step per sequence of label names (used by the Prometheus text parser).
import type { Labels } from './prom-exposition.ts';

export type LabelsMaker = (values: readonly string[]) => Labels;
const labelsMakers = new Map<string, LabelsMaker>();
const MAX_LABELS_MAKERS = 1000;

/**
 * A function that builds the label object for one sequence of label names from their values, as one
 * object literal: `(v) => ({ "envoy_cluster_name": v[0], "le": v[1] })`. Every object it makes has
 * the same shape from the start, which V8 allocates in one step; adding the properties one by one by
 * name (keyed stores), or cloning the previous object, cost about a tenth of the parse. Names are
 * validated label names (never `__proto__`) and are written as JSON string literals; values are data.
 * Makers are shared by all parses; past MAX_LABELS_MAKERS distinct name sequences (only a
 * pathological exporter has that many) objects are built property by property.
 */
export function labelsMaker(names: readonly string[], count: number): LabelsMaker {
  const key = names.slice(0, count).join(',');
  let maker = labelsMakers.get(key);
  if (maker === undefined) {
    if (labelsMakers.size >= MAX_LABELS_MAKERS) {
      const fixed = names.slice(0, count);
      return (values) => {
        const labels: Record<string, string> = {};
        for (let i = 0; i < fixed.length; i++) labels[fixed[i]!] = values[i]!;
        return labels;
      };
    }
    const fields = names.slice(0, count).map((n, i) => `${JSON.stringify(n)}: v[${i}]`);
    maker = new Function('v', `return { ${fields.join(', ')} };`) as LabelsMaker;
    labelsMakers.set(key, maker);
  }
  return maker;
}
