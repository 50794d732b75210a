// A real Prometheus for integration tests (Debian package `prometheus`, found with findTool): a
// temporary config and TSDB directory, bound to a free port on 127.0.0.1, checked with
// `promtool check config` before it starts. Removed with its directory when it exits; a hook SIGKILLs
// it if the test worker exits first.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { freePort } from './processes.ts';
import { findTool } from './system-tools.ts';

export interface StaticScrapeTarget {
  /** `host:port` */
  address: string;
  /** Target labels, e.g. the `namespace`/`pod` that Kubernetes service discovery would add. */
  labels?: Record<string, string>;
}

export interface StartPrometheusOptions {
  jobs: { name: string; metricsPath: string; targets: StaticScrapeTarget[] }[];
  /** Seconds; default 1 (the timeout follows it). */
  scrapeIntervalSeconds?: number;
  /** Alerting/recording rule files' contents (YAML), written beside the config as `rule_files`. */
  ruleFiles?: string[];
}

export interface PrometheusProcess {
  readonly proc: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly configPath: string;
  /** What `promtool check config` printed about the generated config (it threw if the check failed). */
  readonly configCheck: string;
  readonly stderr: string;
  /** Resolves once every configured target has been scraped successfully (`health: "up"`). */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let hookInstalled = false;

/** The prometheus.yml for `opts`: static targets, one job each, scraped every interval. */
export function prometheusConfig(
  opts: StartPrometheusOptions,
  ruleFilePaths: string[] = [],
): Record<string, unknown> {
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  return {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    ...(ruleFilePaths.length > 0 && { rule_files: ruleFilePaths }),
    scrape_configs: opts.jobs.map((j) => ({
      job_name: j.name,
      metrics_path: j.metricsPath,
      static_configs: j.targets.map((t) => ({ targets: [t.address], labels: t.labels ?? {} })),
    })),
  };
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusProcess> {
  const prometheus = findTool('prometheus');
  const promtool = findTool('promtool');
  const dir = mkdtempSync(join(tmpdir(), 'meshscope-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  const ruleFilePaths = (opts.ruleFiles ?? []).map((text, i) => {
    const path = join(dir, `rules-${i}.yml`);
    writeFileSync(path, text);
    return path;
  });
  writeFileSync(configPath, YAML.stringify(prometheusConfig(opts, ruleFilePaths)));
  const configCheck = execFileSync(promtool, ['check', 'config', configPath], { encoding: 'utf8' });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    prometheus,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(proc);
  if (!hookInstalled) {
    hookInstalled = true;
    process.on('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  void exited.then(() => {
    live.delete(proc);
    rmSync(dir, { recursive: true, force: true });
  });
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-64 * 1024);
  });

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`prometheus exited (${proc.exitCode}) before it was ready:\n${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`prometheus not ready after 15 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const expected = opts.jobs.reduce((n, j) => n + j.targets.length, 0);
  return {
    proc,
    url,
    configPath,
    configCheck,
    get stderr() {
      return stderr;
    },
    async waitForTargetsUp(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < until) {
        const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: { health: string; scrapeUrl: string; lastError: string }[] };
        };
        const targets = body.data.activeTargets;
        if (targets.length === expected && targets.every((t) => t.health === 'up')) return;
        last = JSON.stringify(targets.map((t) => [t.scrapeUrl, t.health, t.lastError]));
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`prometheus targets not all up after ${timeoutMs} ms: ${last}`);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      await exited;
    },
  };
}
