// Label and field selectors as the API server reads them from `?labelSelector=` / `?fieldSelector=`
// (apimachinery's labels.Parse: comma-separated requirements, `=`/`==`/`!=`, `in (…)`, `notin (…)`,
// `key` for "exists" and `!key` for "does not exist"). Pure; a malformed selector throws, and the
// server answers 400 as the real one does.

export type Matcher = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on commas outside parentheses. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const SET_RE = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^)]*)\)$`);
const EQ_RE = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)$`);
const EXISTS_RE = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

function requirement(text: string): Matcher {
  const set = SET_RE.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (l) => l[key] !== undefined && values.has(l[key])
      : (l) => l[key] === undefined || !values.has(l[key]);
  }
  const eq = EQ_RE.exec(text);
  if (eq) {
    const [, key = '', op, value] = eq;
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  const exists = EXISTS_RE.exec(text);
  if (exists) {
    const [, not, key = ''] = exists;
    return not ? (l) => l[key] === undefined : (l) => l[key] !== undefined;
  }
  throw new Error(`unable to parse requirement: ${JSON.stringify(text)}`);
}

/** A matcher for a label selector; the empty selector matches everything. */
export function parseLabelSelector(selector: string | null | undefined): Matcher {
  const matchers = requirements(selector ?? '').map(requirement);
  return (labels) => matchers.every((m) => m(labels));
}

/** The fields every resource supports in a field selector (the API server adds per-kind ones). */
export function objectFields(obj: {
  metadata?: { name?: string; namespace?: string };
  status?: unknown;
}): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': obj.metadata?.name ?? '',
    'metadata.namespace': obj.metadata?.namespace ?? '',
  };
  const status = obj.status;
  if (typeof status === 'object' && status !== null && 'phase' in status) {
    fields['status.phase'] = String(status.phase);
  }
  return fields;
}

/**
 * A matcher over `objectFields()` for a field selector: only `=`, `==` and `!=` are allowed, and an
 * unknown field throws ("field label not supported"), as it does on the real server.
 */
export function parseFieldSelector(selector: string | null | undefined): Matcher {
  const known = new Set(['metadata.name', 'metadata.namespace', 'status.phase']);
  const matchers = requirements(selector ?? '').map((text) => {
    const eq = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
    if (!eq) throw new Error(`invalid field selector: ${JSON.stringify(text)}`);
    const [, key = '', op, value] = eq;
    if (!known.has(key)) throw new Error(`field label not supported: ${key}`);
    return op === '!='
      ? (f: Readonly<Record<string, string>>) => f[key] !== value
      : (f: Readonly<Record<string, string>>) => f[key] === value;
  });
  return (fields) => matchers.every((m) => m(fields));
}
