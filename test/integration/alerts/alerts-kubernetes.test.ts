// Alerts in Kubernetes mode, on the simulated cluster through the fake API server: a pod's sidecar
// stops answering, MeshSidecarScrapeFailing fires, and the transition is recorded as a core/v1 Event
// on that Pod (Warning, reason AlertFiring), as `kubectl get events` would show it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertListSchema } from '../../../shared/api/alerts.ts';
import { stopAll } from '../../support/processes.ts';
import { SimulatedCluster, type SimulatedPod } from '../../support/simulated-cluster.ts';
import { type Dashboard, startInClusterDashboard, until } from '../weights/weights-harness.ts';

let cluster: SimulatedCluster;
let dir: string;
let pod: SimulatedPod;
let dash: Dashboard;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-alerts-k8s-'));
  cluster = await SimulatedCluster.start();
  pod = await cluster.addPod({ deployment: 'web', labels: { app: 'web', version: 'v1' } });
  await cluster.settled();
  writeFileSync(join(dir, 'rules.yaml'), 'rules:\n  sidecarScrapeFailing: { for: 1s }\n');
  dash = await startInClusterDashboard(cluster, dir, {
    args: ['--alert-history', join(dir, 'alerts.jsonl'), '--alert-rules', join(dir, 'rules.yaml')],
  });
  await until(
    'the pod’s sidecar scraped',
    async () => {
      const s = (await (await fetch(`${dash.base}/api/sidecars`)).json()) as { sidecars: { up: boolean }[] };
      return s.sidecars.length === 1 && s.sidecars[0]!.up;
    },
    20_000,
    dash.output,
  );
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await cluster?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alerts in Kubernetes mode', () => {
  it('records a firing alert as a Warning Event on the pod whose sidecar cannot be scraped', async () => {
    await pod.proxy!.stop();
    const alert = await until(
      'MeshSidecarScrapeFailing firing',
      async () =>
        AlertListSchema.parse(await (await fetch(`${dash.base}/api/alerts`)).json()).alerts.find(
          (a) => a.labels.alertname === 'MeshSidecarScrapeFailing' && a.state === 'firing',
        ),
      30_000,
      dash.output,
    );
    expect(alert.labels).toMatchObject({
      namespace: 'default',
      workload: 'web',
      sidecar: `default/${pod.name}`,
    });
    const event = await until(
      'the Event',
      async () => cluster.api.store.list('events', 'default').find((e) => e['reason'] === 'AlertFiring'),
      10_000,
      dash.output,
    );
    expect(event).toMatchObject({
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: pod.name },
      type: 'Warning',
      source: { component: 'meshscope' },
    });
    expect(String(event['message'])).toMatch(
      /^MeshSidecarScrapeFailing \(critical\) firing: Sidecar default\/.* cannot be scraped$/,
    );
  }, 45_000);
});
