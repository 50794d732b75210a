import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the real harness briefly (1 s per target) against real nginx, to keep it from rotting while
// the full benchmark is only run by hand. Needs nginx and wrk (bash .ci/run installs them).
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const harness = join(repoRoot, 'bench', 'proxy', 'run.ts');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startHarness(args: string[]): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [harness, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<Finished>((done) =>
    child.on('close', (code) => done({ code, stdout, stderr })),
  );
  return { child, finished };
}

function startedPorts(stderr: string): number[] {
  return [...stderr.matchAll(/^started \S+ at http:\/\/127\.0\.0\.1:(\d+)\//gm)].map((match) =>
    Number(match[1]),
  );
}

function isListening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

describe('bench/proxy/run.ts', () => {
  it('measures nginx and the node:http stand-in, prints a table and a JSON last line, and stops its servers', async () => {
    const { finished } = startHarness([
      '--targets',
      'origin,nginx,nodehttp',
      '--rounds',
      '1',
      '--duration',
      '1',
      '--warmup',
      '0',
    ]);
    const { code, stdout, stderr } = await finished;
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^target\s+req\/s/);
    const report = JSON.parse(lines.at(-1)!);
    for (const target of ['origin', 'nginx', 'nodehttp']) {
      expect(report.targets[target].requestsPerSecond).toBeGreaterThan(100);
      expect(report.targets[target].p99Ms).toBeGreaterThan(0);
      expect(report.targets[target].cpuMsPer1kRequests).toBeGreaterThan(0);
      expect(report.targets[target].errors).toBe(0);
    }
    expect(report.ratiosVsNginx.nodehttp.requestsPerSecond).toBeGreaterThan(0);
    expect(report.originHeadroomVsNginx).toBeGreaterThan(0);

    const ports = startedPorts(stderr);
    expect(ports).toHaveLength(3);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  }, 60_000);

  it('stops every server it started when interrupted with Ctrl-C', async () => {
    const { child, finished } = startHarness([
      '--targets',
      'nginx,nodehttp',
      '--rounds',
      '50',
      '--duration',
      '1',
    ]);
    let stderr = '';
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 20_000;
    while (startedPorts(stderr).length < 3 && child.exitCode === null && Date.now() < deadline) {
      await new Promise((wait) => setTimeout(wait, 100));
    }
    const ports = startedPorts(stderr);
    expect(ports).toHaveLength(3);
    child.kill('SIGINT');
    const { code } = await finished;
    expect(code).toBe(130);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  }, 60_000);
});
