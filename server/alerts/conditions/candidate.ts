// What a rule reports for one subject whose condition holds now; the state machine (alert-state.ts)
// turns candidates into pending, firing and resolved alerts over time.
import type { AlertLabels, AlertRuleId, AlertRuleSettings } from '../../../shared/api/alerts.ts';
import type { Subject } from '../mesh-snapshot.ts';

export interface Candidate {
  rule: AlertRuleId;
  subject: Subject;
  /** Where the condition is: edge, route, cluster, sidecar (as AlertLabels names them). */
  where: Pick<AlertLabels, 'edge' | 'route' | 'cluster' | 'sidecar'>;
  value: number;
  summary: string;
  description: string;
}

/** The settings of a rule in a namespace, or undefined when the rule is disabled there. */
export type SettingsLookup = (rule: AlertRuleId, namespace: string) => AlertRuleSettings | undefined;

export function percent(ratio: number): string {
  const p = ratio * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)}%`;
}
