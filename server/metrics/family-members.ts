// Which samples belong to a histogram or summary family (`x_bucket`, `x_sum`, `x_count` of family
// `x`), and the labels those members must carry, per text format 0.0.4.
import type { Labels, MetricType } from './prom-exposition.ts';
import { parsePromFloat } from './prom-number.ts';

/** The parts of a family these rules read. */
export interface FamilyShape {
  name: string;
  type: MetricType;
}

export function isSuffixedMember(family: FamilyShape, name: string): boolean {
  const type = family.type;
  if (type !== 'histogram' && type !== 'summary') return false;
  const extra = name.length - family.name.length;
  if (extra < 4 || !name.startsWith(family.name)) return false;
  if (extra === 4) return name.endsWith('_sum');
  if (extra === 6) return name.endsWith('_count');
  return extra === 7 && type === 'histogram' && name.endsWith('_bucket');
}

export function baseName(name: string): string | undefined {
  if (name.endsWith('_bucket')) return name.slice(0, -7);
  if (name.endsWith('_count')) return name.slice(0, -6);
  if (name.endsWith('_sum')) return name.slice(0, -4);
  return undefined;
}

// Histogram buckets need a numeric `le`, summary quantiles a numeric `quantile` (0.0.4 text format).
export function checkMember(family: FamilyShape, name: string, labels: Labels): string | undefined {
  if (family.type === 'histogram') {
    if (name === family.name) return `histogram ${name} sample without a _bucket, _sum or _count suffix`;
    if (name.length === family.name.length + 7) return checkNumericLabel(labels, 'le', name);
  } else if (family.type === 'summary' && name === family.name) {
    return checkNumericLabel(labels, 'quantile', name);
  }
  return undefined;
}

function checkNumericLabel(labels: Labels, label: string, name: string): string | undefined {
  const v = labels[label];
  if (v === undefined) return `${name} has no "${label}" label`;
  if (parsePromFloat(v, 0, v.length) === undefined) return `${name} has a non-numeric ${label}="${v}"`;
  return undefined;
}
