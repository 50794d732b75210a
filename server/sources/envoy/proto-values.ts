// Small Envoy/protobuf value types as they appear in config dumps and Istio objects: durations,
// fractional percentages and header matchers, read into numbers and words.
import {
  field,
  isJsonObject,
  type JsonObject,
  objectField,
  stringField,
  wrappedNumberField,
} from './proto-json.ts';

const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};
const GO_DURATION = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;

/**
 * A google.protobuf.Duration in milliseconds: proto3 JSON `"1.5s"`, `{ seconds, nanos }` (some tools),
 * or a Go duration (`"1m30s"`, `"250ms"`, as Istio objects allow); undefined when absent or unreadable.
 */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '' || s === '0') return s === '0' ? 0 : undefined;
    GO_DURATION.lastIndex = 0;
    let total = 0;
    let consumed = 0;
    for (let m = GO_DURATION.exec(s); m !== null; m = GO_DURATION.exec(s)) {
      total += Number(m[1]) * UNIT_MS[m[2]!]!;
      consumed = GO_DURATION.lastIndex;
    }
    return consumed === s.length && consumed > 0 ? total : undefined;
  }
  if (isJsonObject(v)) {
    const seconds = wrappedNumberField(v, 'seconds') ?? 0;
    const nanos = wrappedNumberField(v, 'nanos') ?? 0;
    return seconds * 1000 + nanos / 1e6;
  }
  return undefined;
}

const DENOMINATORS: Readonly<Record<string, number>> = {
  HUNDRED: 100,
  TEN_THOUSAND: 10_000,
  MILLION: 1_000_000,
  '0': 100,
  '1': 10_000,
  '2': 1_000_000,
};

/** A type.v3.FractionalPercent as a percentage (denominator HUNDRED when omitted); undefined when absent. */
export function fractionPercent(f: JsonObject | undefined): number | undefined {
  if (f === undefined) return undefined;
  const numerator = wrappedNumberField(f, 'numerator') ?? 0;
  const d = field(f, 'denominator');
  const denominator = DENOMINATORS[d === undefined ? 'HUNDRED' : String(d)] ?? 100;
  return (numerator / denominator) * 100;
}

/** A config.route.v3.HeaderMatcher in words: `end-user = jason`, `x-canary present`, `user ~ ^j`. */
export function headerMatcherSummary(h: JsonObject): string {
  const name = stringField(h, 'name') ?? '?';
  const invert = field(h, 'invert_match') === true ? 'not ' : '';
  const sm = objectField(h, 'string_match');
  const exact = stringField(h, 'exact_match') ?? stringField(sm, 'exact');
  if (exact !== undefined) return `${name} ${invert}= ${exact}`;
  const prefix = stringField(h, 'prefix_match') ?? stringField(sm, 'prefix');
  if (prefix !== undefined) return `${name} ${invert}starts with ${prefix}`;
  const suffix = stringField(h, 'suffix_match') ?? stringField(sm, 'suffix');
  if (suffix !== undefined) return `${name} ${invert}ends with ${suffix}`;
  const contains = stringField(h, 'contains_match') ?? stringField(sm, 'contains');
  if (contains !== undefined) return `${name} ${invert}contains ${contains}`;
  const regex =
    stringField(objectField(h, 'safe_regex_match'), 'regex') ??
    stringField(objectField(sm, 'safe_regex'), 'regex') ??
    stringField(h, 'regex_match');
  if (regex !== undefined) return `${name} ${invert}~ ${regex}`;
  if (field(h, 'present_match') === false) return `${name} absent`;
  return `${name} ${invert}present`.replace('not present', 'absent');
}
