// The alert rules file (`--alert-rules FILE`): the default rules' settings changed globally and per
// namespace. Every problem is reported at once, each with the path of the field at fault, and a file
// with any problem is refused as a whole (the dashboard keeps nothing of it):
//
//   rules:
//     edge503Ratio: { threshold: 0.02, for: 30s }
//     trafficStopped: { enabled: false }
//   namespaces:
//     payments:
//       edge503Ratio: { threshold: 0.001, severity: critical }
import YAML from 'yaml';
import {
  type AlertRuleId,
  AlertRuleIdSchema,
  type AlertRuleSettings,
  SeveritySchema,
} from '../../shared/api/alerts.ts';
import { RULE_DEFINITIONS } from './default-rules.ts';

export interface RuleSet {
  rules: Record<AlertRuleId, AlertRuleSettings>;
  /** Namespace → rule → the settings that differ there. */
  namespaces: Record<string, Partial<Record<AlertRuleId, Partial<AlertRuleSettings>>>>;
}

export class RulesFileError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid alert rules:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

export const RULE_IDS: readonly AlertRuleId[] = AlertRuleIdSchema.options;

export function defaultRuleSet(): RuleSet {
  const rules = {} as Record<AlertRuleId, AlertRuleSettings>;
  for (const id of RULE_IDS) rules[id] = { ...RULE_DEFINITIONS[id].defaults };
  return { rules, namespaces: {} };
}

/** A rule's settings in a namespace: the namespace's overrides over the global settings. */
export function settingsFor(set: RuleSet, rule: AlertRuleId, namespace: string): AlertRuleSettings {
  const o = set.namespaces[namespace]?.[rule];
  return o === undefined ? set.rules[rule] : { ...set.rules[rule], ...o };
}

/** `30s`, `1m`, `1m30s`, `2h`, `0s` (Prometheus durations without ms/d/w/y), or plain seconds. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v.trim());
  if (m === null || v.trim() === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function ruleSettings(
  rule: AlertRuleId,
  doc: unknown,
  path: string,
  problems: string[],
): Partial<AlertRuleSettings> {
  const out: Partial<AlertRuleSettings> = {};
  if (doc === null || doc === undefined) return out;
  if (!isObject(doc)) {
    problems.push(`${path}: expected a mapping of settings (enabled, severity, for, threshold, minRequests)`);
    return out;
  }
  const def = RULE_DEFINITIONS[rule];
  for (const [key, v] of Object.entries(doc)) {
    const at = `${path}.${key}`;
    switch (key) {
      case 'enabled':
        if (typeof v === 'boolean') out.enabled = v;
        else problems.push(`${at}: expected true or false, got ${JSON.stringify(v)}`);
        break;
      case 'severity': {
        const s = SeveritySchema.safeParse(v);
        if (s.success) out.severity = s.data;
        else
          problems.push(
            `${at}: expected one of ${SeveritySchema.options.join(', ')}, got ${JSON.stringify(v)}`,
          );
        break;
      }
      case 'for': {
        const d = parseDuration(v);
        if (d !== undefined) out.for = d;
        else problems.push(`${at}: expected a duration such as 30s, 1m or 1m30s, got ${JSON.stringify(v)}`);
        break;
      }
      case 'threshold': {
        const [lo, hi] = def.thresholdRange;
        if (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi) out.threshold = v;
        else
          problems.push(
            `${at}: expected ${def.thresholdMeaning} within [${lo}, ${hi}], got ${JSON.stringify(v)}`,
          );
        break;
      }
      case 'minRequests':
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out.minRequests = v;
        else problems.push(`${at}: expected a whole number of requests ≥ 0, got ${JSON.stringify(v)}`);
        break;
      default:
        problems.push(`${at}: unknown setting (expected enabled, severity, for, threshold or minRequests)`);
    }
  }
  return out;
}

function ruleMap(
  doc: unknown,
  path: string,
  problems: string[],
): Partial<Record<AlertRuleId, Partial<AlertRuleSettings>>> {
  const out: Partial<Record<AlertRuleId, Partial<AlertRuleSettings>>> = {};
  if (doc === null || doc === undefined) return out;
  if (!isObject(doc)) {
    problems.push(`${path}: expected a mapping of rule names to settings`);
    return out;
  }
  for (const [name, settings] of Object.entries(doc)) {
    const id = AlertRuleIdSchema.safeParse(name);
    if (!id.success) {
      problems.push(`${path}.${name}: unknown rule (known: ${RULE_IDS.join(', ')})`);
      continue;
    }
    out[id.data] = ruleSettings(id.data, settings, `${path}.${name}`, problems);
  }
  return out;
}

/** Kubernetes namespace names (RFC 1123 labels). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses and validates a rules file's text; throws RulesFileError listing every problem. */
export function parseRulesFile(text: string, source = 'alert rules'): RuleSet {
  const problems: string[] = [];
  const yaml = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (yaml.errors.length > 0)
    throw new RulesFileError(
      source,
      yaml.errors.map((e) => e.message.split('\n')[0]!),
    );
  const doc: unknown = yaml.toJS();
  const set = defaultRuleSet();
  if (doc === null || doc === undefined) return set;
  if (!isObject(doc))
    throw new RulesFileError(source, ['(top level): expected a mapping with `rules` and/or `namespaces`']);
  for (const key of Object.keys(doc)) {
    if (key !== 'rules' && key !== 'namespaces')
      problems.push(`${key}: unknown key (expected rules or namespaces)`);
  }
  for (const [id, s] of Object.entries(ruleMap(doc.rules, 'rules', problems))) {
    set.rules[id as AlertRuleId] = { ...set.rules[id as AlertRuleId], ...s };
  }
  if (doc.namespaces !== undefined && doc.namespaces !== null) {
    if (!isObject(doc.namespaces))
      problems.push('namespaces: expected a mapping of namespace names to rules');
    else {
      for (const [ns, rules] of Object.entries(doc.namespaces)) {
        if (!NAMESPACE.test(ns)) {
          problems.push(`namespaces.${ns}: not a Kubernetes namespace name`);
          continue;
        }
        set.namespaces[ns] = ruleMap(rules, `namespaces.${ns}`, problems);
      }
    }
  }
  if (problems.length > 0) throw new RulesFileError(source, problems);
  return set;
}
