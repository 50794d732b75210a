// meshscope: discovery → scraping → metrics → graph → HTTP. With no source given it starts the local
// demo mesh and discovers it through the same targets-file path a user's own mesh would take.
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../proxy/log/logger.ts';
import { defaultAlertHistoryFile, setupAlerts } from './alerts/alerts-setup.ts';
import { exportRulesCli } from './alerts/export-rules-cli.ts';
import { WriteRateLimiter } from './api/write-rate-limiter.ts';
import { createApp } from './app.ts';
import { type DashboardArgs, parseArgs, USAGE, UsageError } from './cli/parse-args.ts';
import { Dashboard, type WindowedTrafficSource } from './dashboard.ts';
import { type DemoMesh, startDemoMesh } from './demo/start-demo-mesh.ts';
import { MetricsStore } from './metrics/metrics-store.ts';
import type { InventorySource } from './model/inventory.ts';
import { Scraper } from './scrape/scraper.ts';
import { KubernetesInventorySource } from './sources/kubernetes/kubernetes-inventory-source.ts';
import { PrometheusTrafficSource } from './sources/prometheus/prometheus-traffic-source.ts';
import { TargetsFileSource } from './sources/targets-file/targets-file-source.ts';
import { configMapLookup } from './weights/configmap-store.ts';
import { GuardedShiftRunner } from './weights/guarded-shift-runner.ts';
import { GuardedShiftStore, shiftsFileFor } from './weights/guarded-shift-store.ts';
import {
  defaultAuditFile,
  defaultDataDir,
  generatedTokenFile,
  setupWeights,
} from './weights/weights-setup.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Rate windows offered to the UI: the configured one first, then the usual choices. */
function windowsFor(defaultWindow: number): number[] {
  return [defaultWindow, ...[60, 300, 600, 1800, 3600].filter((w) => w !== defaultWindow)];
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'export-rules') {
    const r = await exportRulesCli(argv.slice(1), (t) => process.stdout.write(t));
    if (r.error !== undefined) process.stderr.write(`meshscope export-rules: ${r.error}\n`);
    return r.code;
  }
  let args: DashboardArgs;
  try {
    args = parseArgs(argv, process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`meshscope: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = createLogger(args.logLevel);
  // A graph that cannot be built is logged, and the next cycle tries again.
  const cycleFailed = (e: unknown) => log('error', 'graph', `cycle failed: ${(e as Error).stack ?? e}`);
  const stops: (() => Promise<void> | void)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (e) {
        log('warning', 'main', `while stopping: ${(e as Error).message}`);
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    let inventory: InventorySource;
    let demo: DemoMesh | undefined;
    let kubeConfig: KubeConfig | undefined;
    // One audit log per mesh (the desired weights reconciliation enforces are looked up by route id,
    // which two meshes may share): the demo's beside it, others in the data dir, named after the source.
    const dataDir = args.dataDir ?? defaultDataDir(process.env);
    let auditFile = args.auditFile;
    let alertHistory = args.alertHistory;
    // Where a generated write token is kept: the data dir, the demo's own dir for the demo.
    let stateDir = dataDir;
    if (args.source === 'demo') {
      const workDir = args.demoDir ?? mkdtempSync(join(tmpdir(), 'meshscope-demo-'));
      auditFile ??= join(workDir, 'audit.jsonl');
      alertHistory ??= join(workDir, 'alerts.jsonl');
      stateDir = args.dataDir ?? workDir;
      log('info', 'demo', `starting the demo mesh in ${workDir}`);
      demo = await startDemoMesh({
        workDir,
        ratePerSecond: args.demoRate,
        baseAddress: `${args.demoSubnet}.`,
        log: (m) => log('info', 'demo', m),
      });
      const d = demo;
      stops.push(() => d.stop());
      inventory = new TargetsFileSource(demo.targetsPath, (m) => log('warning', 'targets', m));
    } else if (args.source === 'targets') {
      inventory = new TargetsFileSource(args.targets!, (m) => log('warning', 'targets', m));
      auditFile ??= defaultAuditFile(dataDir, `targets:${resolve(args.targets!)}`);
      alertHistory ??= defaultAlertHistoryFile(dataDir, `targets:${resolve(args.targets!)}`);
    } else {
      const kc = new KubeConfig();
      if (args.kubeconfig) kc.loadFromFile(args.kubeconfig);
      else kc.loadFromCluster();
      kubeConfig = kc;
      auditFile ??= defaultAuditFile(dataDir, `kubernetes:${kc.getCurrentCluster()?.server ?? ''}`);
      alertHistory ??= defaultAlertHistoryFile(dataDir, `kubernetes:${kc.getCurrentCluster()?.server ?? ''}`);
      inventory = new KubernetesInventorySource({
        kubeConfig: kc,
        adminAccess: args.inCluster ? 'direct' : 'api-server',
        onError: (resource, err) =>
          log('warning', 'kubernetes', `${resource}: ${(err as Error)?.message ?? err}`),
      });
    }
    await inventory.start();
    stops.push(() => inventory.stop());

    const store = new MetricsStore({ windowSeconds: args.windowSeconds, intervalMs: args.scrapeIntervalMs });
    let traffic: WindowedTrafficSource = store;
    let prometheus: PrometheusTrafficSource | undefined;
    if (args.prometheus) {
      // Prometheus supplies the counters; the sidecars' own admin APIs still supply structure
      // (hosts, routes, runtime weights), which Prometheus does not hold.
      prometheus = new PrometheusTrafficSource({
        url: args.prometheus,
        targets: () => inventory.current().sidecars,
        windowSeconds: args.windowSeconds,
        refreshIntervalMs: args.scrapeIntervalMs,
        fallback: (id) => store.latest(id),
        fallbackPolicyFigures: (id) => store.policyFigures(id),
        // The dashboard's cycle (caches dropped, history recorded, the SSE update) follows each
        // completed refresh: its own timer could run just before one lands and lag an interval behind.
        onRefresh: () => void dashboard.cycle().catch(cycleFailed),
        // In a cluster, series are told apart by the `namespace`/`pod` labels Kubernetes service
        // discovery configs add: the `instance` Prometheus scraped is neither the pods/proxy URL the
        // dashboard uses from a laptop nor, for istio-proxy (merged :15020), the port it reads.
        ...(args.source === 'kubernetes' ? { matching: { by: 'pod' as const } } : {}),
      });
      traffic = prometheus;
    }
    // Weights: set through /runtime_modify, persisted in the sidecars' runtime directories on this
    // machine, or in Kubernetes in the ConfigMap mounted as the runtime directory.
    const weights = await setupWeights({
      ...(kubeConfig !== undefined && { durable: configMapLookup(kubeConfig), kubeConfig }),
      auditFile: auditFile!,
      tokenFile: args.tokenFile,
      generatedTokenFile: generatedTokenFile(stateDir),
      readOnly: args.readOnly,
      env: process.env,
      routes: () => dashboard.routes(),
      sidecars: () => inventory.current().sidecars,
      scrape: (id) => store.latest(id),
      log: (level, m) => log(level, 'weights', m),
    });
    stops.push(() => weights.stop());
    // Alerts: a bad rules file stops the start here, with every problem listed.
    let publicUrl = `http://${args.address}:${args.port}`;
    const alerts = await setupAlerts({
      rulesFile: args.alertRules,
      historyFile: alertHistory!,
      windowSeconds: args.windowSeconds,
      alertmanagerUrl: args.alertmanagerUrl,
      prometheusUrl: args.prometheus,
      kubeConfig,
      podOf: (id) => inventory.current().sidecars.find((s) => s.id === id)?.pod,
      publicUrl: () => publicUrl,
      log: (level, m) => log(level, 'alerts', m),
    });
    stops.push(() => alerts.stop());
    const dashboard = new Dashboard({
      alerts,
      weights: weights.controller,
      inventory,
      traffic,
      statuses: () => scraper.statuses(),
      ...(prometheus ? { prometheusStatus: () => prometheus.status() } : {}),
      windows: prometheus ? [args.windowSeconds] : windowsFor(args.windowSeconds),
    });
    const scraper = new Scraper({
      source: () => inventory.current().sidecars,
      intervalMs: args.scrapeIntervalMs,
      onScrape: (s) => store.ingest(s),
      onCycle: (summary) => {
        for (const id of summary.removed) store.forget(id);
        store.expire();
        if (!prometheus) void dashboard.cycle().catch(cycleFailed);
        log('debug', 'scrape', `cycle ${summary.cycle}: ${summary.succeeded}/${summary.targets} ok`);
      },
    }).start();
    stops.push(() => scraper.stop());
    // Reconciliation repairs replicas through /runtime_modify: a write, so not with --read-only (drift
    // is still computed from the scrapes and shown).
    if (!args.readOnly) dashboard.onCycle(() => void weights.controller.reconcile());
    dashboard.onCycle(() => alerts.evaluate(dashboard.alertSnapshot()));
    // Guarded shifts: their state beside the audit log, resumed (or stopped safely) from it at start.
    const guardedShifts = new GuardedShiftRunner({
      weights: weights.controller,
      routes: () => dashboard.routes(),
      scrape: (id) => store.latest(id),
      store: new GuardedShiftStore(shiftsFileFor(auditFile!)),
      log: (level, m) => log(level, 'weights', m),
    });
    await guardedShifts.open();
    // With --read-only no step is applied and nothing rolled back: shifts are left as they were.
    if (!args.readOnly) dashboard.onCycle(() => void guardedShifts.tick());
    else {
      const active = guardedShifts.list().filter((s) => s.state === 'running' || s.state === 'paused');
      if (active.length > 0) {
        log(
          'warning',
          'weights',
          `read-only: ${active.length} guarded shift(s) left as they are (${active.map((s) => s.routeId).join(', ')})`,
        );
      }
    }
    stops.push(() => guardedShifts.close());
    if (prometheus) {
      const p = prometheus;
      await p.start();
      stops.push(() => p.stop());
    }

    const app = createApp(dashboard, {
      staticDir: join(ROOT, 'client/dist'),
      writes: {
        readOnly: args.readOnly,
        authorize: weights.authorize,
        limiter: new WriteRateLimiter(args.writeRate),
      },
      guardedShifts,
    });
    const server = http.createServer(app);
    await new Promise<void>((res, rej) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        rej(
          new Error(
            `cannot listen on ${args.address}:${args.port}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`,
          ),
        ),
      );
      server.listen(args.port, args.address, () => res());
    });
    stops.push(
      () =>
        new Promise<void>((res) => {
          server.closeAllConnections();
          server.close(() => res());
        }),
    );
    const addr = server.address();
    const port = addr && typeof addr === 'object' ? addr.port : args.port;
    const host = args.address.includes(':') ? `[${args.address}]` : args.address;
    publicUrl = `http://${host}:${port}`;
    process.stdout.write(
      `meshscope dashboard on http://${host}:${port}${demo ? ' (demo mesh: Ctrl-C stops it all)' : ''}\n`,
    );
    log('info', 'weights', `${weights.writeAccess}; audit log ${auditFile}`);
    const t = weights.tokens;
    if (t?.source === 'generated') {
      // Printed at every start (the file keeps it across restarts): the one way to learn it without a
      // shell on the machine. The fragment never reaches a server; the UI moves it to sessionStorage.
      const token = t.tokens[0].token;
      process.stdout.write(
        `write token (generated, kept in ${t.file}): ${token}\n` +
          `  API clients send 'Authorization: Bearer ${token}'\n` +
          `  the UI, with writes enabled for the tab: ${publicUrl}/#token=${token}\n`,
      );
    }
    return -1;
  } catch (e) {
    process.stderr.write(`meshscope: ${(e as Error).message}\n`);
    await shutdown(1);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`meshscope: fatal: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
