// The alerts behind the API: evaluates the rules after every scrape cycle (pure engine), keeps the
// state, and delivers transitions: the durable history, an Alertmanager, Kubernetes Events. Deliveries
// never hold up evaluation; a failed one is logged (and, for Alertmanager, retried by the next send).
import type {
  Alert,
  AlertHistoryEntry,
  AlertList,
  AlertRule,
  PrometheusAlert,
} from '../../shared/api/alerts.ts';
import { alertName } from '../../shared/api/alerts.ts';
import type { EventSpec } from '../sources/kubernetes/create-event.ts';
import { fetchPrometheusAlerts } from '../sources/prometheus/prometheus-alerts.ts';
import { type EngineState, evaluateAlerts, initialEngineState, listAlerts } from './alert-engine.ts';
import type { AlertHistory } from './alert-history.ts';
import { alertEvent } from './alert-kubernetes-events.ts';
import type { AlertmanagerClient } from './alertmanager-client.ts';
import { RULE_DEFINITIONS } from './default-rules.ts';
import type { MeshSnapshot } from './mesh-snapshot.ts';
import {
  type ExportOptions,
  prometheusRuleManifest,
  prometheusRulesFile,
} from './prometheus-rules-export.ts';
import { RULE_IDS, type RuleSet } from './rules-file.ts';

export type AlertsLog = (level: 'warning' | 'info' | 'debug', msg: string) => void;

export interface AlertsServiceOptions {
  rules: RuleSet;
  windowSeconds: number;
  history?: AlertHistory;
  alertmanager?: AlertmanagerClient;
  /** Records a Kubernetes Event (Kubernetes mode). */
  recordEvent?: (spec: EventSpec) => Promise<unknown>;
  /** The pod of a sidecar, for Events about it. */
  podOf?: (sidecarId: string) => string | undefined;
  /** `--prometheus`: its own alerts are listed beside ours. */
  prometheusUrl?: string;
  log: AlertsLog;
}

export type RulesFormat = 'json' | 'prometheus' | 'prometheusrule';

export class AlertsService {
  private readonly opts: AlertsServiceOptions;
  private state: EngineState = initialEngineState();
  private readonly listeners = new Set<(list: AlertList) => void>();
  private prometheus: { alerts: PrometheusAlert[]; error: string | null } = { alerts: [], error: null };
  private prometheusPolling = false;

  constructor(opts: AlertsServiceOptions) {
    this.opts = opts;
  }

  /** One evaluation over a cycle's snapshot; returns the transitions it made. */
  evaluate(snap: MeshSnapshot): AlertHistoryEntry[] {
    const { state, transitions } = evaluateAlerts(this.opts.rules, snap, this.state);
    this.state = state;
    this.deliver(transitions, snap.at);
    this.pollPrometheus();
    if (transitions.length > 0) this.notify();
    return transitions;
  }

  private deliver(transitions: AlertHistoryEntry[], now: number): void {
    const { history, alertmanager, recordEvent, log } = this.opts;
    if (history && transitions.length > 0) {
      history.append(transitions).catch((e: Error) => log('warning', `alert history: ${e.message}`));
    }
    if (alertmanager) {
      const sendable = listAlerts(this.state).filter((a) => a.state !== 'pending');
      const changed = transitions.some(
        (t) => t.to !== 'pending' && !(t.to === 'resolved' && t.from === 'pending'),
      );
      void alertmanager.send(sendable, changed, now);
    }
    if (recordEvent) {
      for (const t of transitions) {
        const spec = alertEvent(t, this.opts.podOf ?? (() => undefined));
        if (spec === undefined) continue;
        recordEvent(spec).catch((e: Error) =>
          log('warning', `Kubernetes Event for ${t.labels.alertname}: ${e.message}`),
        );
      }
    }
  }

  private pollPrometheus(): void {
    const url = this.opts.prometheusUrl;
    if (url === undefined || this.prometheusPolling) return;
    this.prometheusPolling = true;
    fetchPrometheusAlerts(url)
      .then(
        (alerts) => {
          const changed = JSON.stringify(alerts) !== JSON.stringify(this.prometheus.alerts);
          this.prometheus = { alerts, error: null };
          if (changed) this.notify();
        },
        (e: Error) => {
          if (this.prometheus.error === null) this.opts.log('warning', `Prometheus alerts: ${e.message}`);
          this.prometheus = { alerts: this.prometheus.alerts, error: e.message };
        },
      )
      .finally(() => {
        this.prometheusPolling = false;
      });
  }

  private notify(): void {
    const list = this.list();
    for (const l of this.listeners) l(list);
  }

  list(): AlertList {
    return {
      evaluatedAt: this.state.evaluatedAt,
      alerts: listAlerts(this.state),
      prometheus:
        this.opts.prometheusUrl === undefined
          ? null
          : { url: this.opts.prometheusUrl, alerts: this.prometheus.alerts, error: this.prometheus.error },
    };
  }

  alert(id: string): Alert | undefined {
    return this.state.active.get(id) ?? this.state.resolved.find((a) => a.id === id);
  }

  history(opts: { alertId?: string; limit?: number }): AlertHistoryEntry[] {
    return this.opts.history?.list(opts) ?? [];
  }

  rules(): AlertRule[] {
    const { rules, namespaces } = this.opts.rules;
    return RULE_IDS.map((id) => {
      const perNs: AlertRule['namespaces'] = {};
      for (const [ns, o] of Object.entries(namespaces)) {
        const s = o[id];
        if (s !== undefined) perNs[ns] = s;
      }
      return {
        id,
        alertname: alertName(id),
        description: RULE_DEFINITIONS[id].description,
        settings: rules[id],
        namespaces: perNs,
      };
    });
  }

  exportRules(format: Exclude<RulesFormat, 'json'>, opts: Partial<ExportOptions> = {}): string {
    const o = { windowSeconds: this.opts.windowSeconds, ...opts };
    return format === 'prometheus'
      ? prometheusRulesFile(this.opts.rules, o)
      : prometheusRuleManifest(this.opts.rules, o);
  }

  /** Called with the new list whenever an alert changes state (or Prometheus' alerts change). */
  onChange(listener: (list: AlertList) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.opts.history?.close();
  }
}
