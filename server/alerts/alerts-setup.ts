// Wiring of alerts for bin/meshscope: the rules file (read and validated at start: a bad file stops
// the dashboard with every problem listed), the history file, an Alertmanager, Kubernetes Events.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createEvent } from '../sources/kubernetes/create-event.ts';
import { AlertHistory } from './alert-history.ts';
import { AlertmanagerClient } from './alertmanager-client.ts';
import { type AlertsLog, AlertsService } from './alerts-service.ts';
import { defaultRuleSet, parseRulesFile, type RuleSet } from './rules-file.ts';

/** `<data dir>/alerts-<hash of the scope>.jsonl`: one history per mesh, as the weights' audit log. */
export function defaultAlertHistoryFile(dataDir: string, scope: string): string {
  return join(dataDir, `alerts-${createHash('sha256').update(scope).digest('hex').slice(0, 12)}.jsonl`);
}

export async function loadRuleSet(path: string | undefined): Promise<RuleSet> {
  if (path === undefined) return defaultRuleSet();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`--alert-rules ${path}: ${(e as Error).message}`);
  }
  return parseRulesFile(text, path);
}

export interface AlertsSetupOptions {
  rulesFile: string | undefined;
  historyFile: string;
  windowSeconds: number;
  alertmanagerUrl: string | undefined;
  prometheusUrl: string | undefined;
  /** Kubernetes mode: transitions are recorded as Events. */
  kubeConfig: KubeConfig | undefined;
  podOf: (sidecarId: string) => string | undefined;
  /** The dashboard's URL, known once it listens (Alertmanager's generatorURL links to the alert). */
  publicUrl: () => string;
  log: AlertsLog;
}

export async function setupAlerts(opts: AlertsSetupOptions): Promise<AlertsService> {
  const rules = await loadRuleSet(opts.rulesFile);
  const history = await AlertHistory.open(opts.historyFile, { log: (m) => opts.log('warning', m) });
  const core = opts.kubeConfig?.makeApiClient(CoreV1Api);
  return new AlertsService({
    rules,
    windowSeconds: opts.windowSeconds,
    history,
    ...(opts.alertmanagerUrl !== undefined && {
      alertmanager: new AlertmanagerClient({
        url: opts.alertmanagerUrl,
        generatorUrl: (a) => `${opts.publicUrl()}/#/alerts?alert=${a.id}`,
        log: opts.log,
      }),
    }),
    ...(core !== undefined && { recordEvent: (spec) => createEvent(core, spec), podOf: opts.podOf }),
    ...(opts.prometheusUrl !== undefined && { prometheusUrl: opts.prometheusUrl }),
    log: opts.log,
  });
}
