// Proxy throughput benchmark: nginx vs meshscope's proxy (and reference points) on loopback.
// Usage and targets: see bench-args.ts, or run with --help. Method and recorded results:
// docs/benchmarks.md, "Proxy throughput".
//
// Every target proxies to the same origin (an nginx answering a small fixed body). Rounds are
// interleaved, each round runs every target once (order rotated per round), and ratios are taken
// within a round before the median, so a busy phase of the shared machine hits all targets alike.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool } from '../../test/support/system-tools.ts';
import { type BenchArgs, parseBenchArgs, type TargetName, usage } from './bench-args.ts';
import { formatSummaryTable, type RunResult, summarize } from './bench-summary.ts';
import { ProcessRegistry } from './child-processes.ts';
import { freePorts } from './loopback.ts';
import { processTreeCpuMs } from './process-cpu.ts';
import { runWrk, type WrkLoad } from './run-wrk.ts';
import { type BenchContext, type RunningTarget, startOrigin, startTarget } from './targets.ts';
import { wrkErrorCount } from './wrk-report.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = { threads: 1, connections: 50 };

const registry = new ProcessRegistry();
let workDir: string | undefined;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function removeWorkDir(): void {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

// The first reason to stop wins: after Ctrl-C, main() fails too (its wrk or server is killed), and
// that later failure must not replace exit code 130 or exit before the children are stopped.
let stopping: Promise<void> | undefined;
let exitCodeOfFirstReason = 0;
async function shutdown(exitCode: number): Promise<never> {
  if (stopping === undefined) {
    exitCodeOfFirstReason = exitCode;
    stopping = registry.stopAll().finally(removeWorkDir);
  }
  await stopping;
  process.exit(exitCodeOfFirstReason);
}

// Ctrl-C / kill: stop every child (they are in their own process groups, so the terminal's SIGINT does
// not reach them) before leaving. 'exit' is the synchronous last resort, e.g. after process.exit().
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));
process.on('exit', () => {
  registry.killAllNow();
  removeWorkDir();
});

function nginxVersion(nginxPath: string): string {
  // nginx -v prints to stderr.
  const run = spawnSync(nginxPath, ['-v'], { encoding: 'utf8' });
  return `${run.stderr}`.trim().replace(/^nginx version: /, '') || 'unknown';
}

async function measure(
  target: RunningTarget,
  wrkPath: string,
  wrkLoad: WrkLoad,
  round: number,
): Promise<RunResult> {
  const cpuBefore = processTreeCpuMs(target.pid);
  const report = await runWrk(registry, wrkPath, target.url, wrkLoad);
  const cpuMs = processTreeCpuMs(target.pid) - cpuBefore;
  return {
    target: target.name,
    round,
    requests: report.requests,
    requestsPerSecond: report.requestsPerSecond,
    p99Ms: report.latencyMs.p99,
    cpuMsPer1kRequests: report.requests > 0 ? (cpuMs * 1000) / report.requests : Number.NaN,
    errors: wrkErrorCount(report),
  };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function main(args: BenchArgs): Promise<void> {
  const wrkPath = findTool('wrk');
  const nginxPath = findTool('nginx');
  workDir = mkdtempSync(join(tmpdir(), 'meshscope-bench-'));
  // nginx workers drop root privileges (to nobody) and must still reach their temp paths in here.
  chmodSync(workDir, 0o755);
  const [primaryPort, canaryPort] = await freePorts(2);
  const context: BenchContext = {
    registry,
    workDir,
    repoRoot,
    nginxPath,
    originPorts: [primaryPort!, canaryPort!],
  };

  // The machine is shared: the 1-minute load average before and after says how quiet it was.
  const loadBefore = loadavg()[0]!;
  const origin = await startOrigin(context);
  log(`started origin at ${origin.url}`);
  const targets = new Map<TargetName, RunningTarget>();
  for (const name of args.targets) {
    const target = await startTarget(context, name, origin);
    targets.set(name, target);
    if (target !== origin) log(`started ${name} at ${target.url}`);
  }

  if (args.warmupS > 0) {
    for (const target of targets.values()) {
      await runWrk(registry, wrkPath, target.url, { ...load, durationS: args.warmupS });
    }
    log(`warmed up each target for ${args.warmupS} s`);
  }

  const results: RunResult[] = [];
  for (let round = 0; round < args.rounds; round++) {
    for (const name of rotate(args.targets, round)) {
      const result = await measure(
        targets.get(name)!,
        wrkPath,
        { ...load, durationS: args.durationS },
        round,
      );
      results.push(result);
      log(
        `round ${round + 1}/${args.rounds} ${name}: ${result.requestsPerSecond.toFixed(0)} req/s, ` +
          `p99 ${result.p99Ms.toFixed(2)} ms, ${result.cpuMsPer1kRequests.toFixed(2)} CPU ms/1k req` +
          (result.errors > 0 ? `, ${result.errors} errors` : ''),
      );
    }
  }

  const summary = summarize(results, args.targets);
  const accessLogBytesPerRequest: Partial<Record<TargetName, number>> = {};
  for (const target of targets.values()) {
    if (target.accessLogPath === undefined) continue;
    const served = results.filter((r) => r.target === target.name).reduce((sum, r) => sum + r.requests, 0);
    const size = statSync(target.accessLogPath, { throwIfNoEntry: false })?.size ?? 0;
    // Warm-up requests are logged too, so this slightly overstates bytes per request.
    accessLogBytesPerRequest[target.name] = served > 0 ? size / served : 0;
  }

  console.log(
    `Proxy throughput: wrk -t${load.threads} -c${load.connections} -d${args.durationS}s, ` +
      `${args.rounds} interleaved rounds, medians (ratios: median of per-round ratios)`,
  );
  console.log(formatSummaryTable(summary, args.targets));
  console.log(
    `load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)}, on ${cpus().length} CPUs`,
  );
  if (summary.originHeadroomVsNginx !== undefined) {
    const verdict =
      summary.originHeadroomVsNginx >= 1.5 ? 'not the bottleneck' : 'TOO CLOSE: may be the bottleneck';
    console.log(
      `origin hit directly serves ${summary.originHeadroomVsNginx.toFixed(2)}× nginx's proxied rate: ${verdict}`,
    );
  }
  const pvp = summary.policiesVsPlain;
  if (pvp !== undefined) {
    // Issue 6: the policies may cost at most 15 % of the plain configuration's throughput.
    const within = pvp.requestsPerSecond >= 0.85 && pvp.cpuPerRequest <= 1 / 0.85;
    console.log(
      `meshscope-policies vs meshscope: req/s ×${pvp.requestsPerSecond.toFixed(3)}, ` +
        `CPU per request ×${pvp.cpuPerRequest.toFixed(3)}, p99 ×${pvp.p99.toFixed(3)}: ` +
        (within ? 'within 15 %' : 'MORE THAN 15 % SLOWER'),
    );
  }
  for (const [name, bytes] of Object.entries(accessLogBytesPerRequest)) {
    console.log(
      `${name}: access log ${bytes.toFixed(0)} bytes per request${bytes === 0 ? ' (EMPTY: nothing was logged)' : ''}`,
    );
  }
  const failed = args.targets.filter((name) => (summary.targets[name]?.errors ?? 0) > 0);
  if (failed.length > 0)
    console.log(`WARNING: failed requests in ${failed.join(', ')}: those figures are not valid`);

  // The last line: every figure as one JSON object, for scripts and for docs/benchmarks.md.
  console.log(
    JSON.stringify(
      {
        bench: 'proxy',
        settings: { ...args, ...load, tool: 'wrk' },
        environment: {
          nginx: nginxVersion(nginxPath),
          node: process.version,
          cpus: cpus().length,
          loadAverage: { before: loadBefore, after: loadavg()[0]! },
        },
        targets: summary.targets,
        ratiosVsNginx: summary.ratiosVsNginx,
        originHeadroomVsNginx: summary.originHeadroomVsNginx ?? null,
        policiesVsPlain: summary.policiesVsPlain ?? null,
        accessLogBytesPerRequest,
      },
      // Four significant decimals are far below the run-to-run noise.
      (_key, value: unknown) =>
        typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(4)) : value,
    ),
  );
}

let args: BenchArgs;
try {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  log(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
main(args).then(
  () => shutdown(0),
  (error: unknown) => {
    if (stopping !== undefined) return shutdown(1);
    log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    return shutdown(1);
  },
);
