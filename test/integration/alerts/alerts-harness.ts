// Shared by the alerts suites that put the real bin/meshscope over a proxy of their own: the dashboard
// on a targets file naming that proxy as workload shop/caller, with the suite's alert rules, and the
// alert list it answers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type AlertList, AlertListSchema } from '../../../shared/api/alerts.ts';
import { type Dashboard, startDashboard } from '../weights/weights-harness.ts';

/**
 * bin/meshscope scraping the meshscope-proxy whose admin is `adminUrl` (namespace shop, workload
 * caller) under `rules` (a rules file's text); its targets, rules, alert history and audit log are in
 * a new folder under the system's temporary one, named from `tmpPrefix`.
 */
export async function startAlertsDashboard(
  adminUrl: string,
  rules: string,
  tmpPrefix: string,
): Promise<Dashboard> {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({
      targets: [{ namespace: 'shop', workload: 'caller', kind: 'meshscope-proxy', admin: [adminUrl] }],
    }),
  );
  writeFileSync(join(dir, 'rules.yaml'), rules);
  return startDashboard([
    '--targets',
    targets,
    '--alert-rules',
    join(dir, 'rules.yaml'),
    '--alert-history',
    join(dir, 'alerts.jsonl'),
    '--audit-file',
    join(dir, 'audit.jsonl'),
  ]);
}

/** GET /api/alerts. */
export async function alertsOf(base: string): Promise<AlertList> {
  return AlertListSchema.parse(await (await fetch(`${base}/api/alerts`)).json());
}
