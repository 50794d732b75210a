// Runs wrk once and parses its report. wrk is registered with the ProcessRegistry like the servers, so
// Ctrl-C during a run stops it too.
import type { ProcessRegistry } from './child-processes.ts';
import { parseWrkReport, type WrkReport } from './wrk-report.ts';

export interface WrkLoad {
  threads: number;
  connections: number;
  durationS: number;
}

export async function runWrk(
  registry: ProcessRegistry,
  wrkPath: string,
  url: string,
  load: WrkLoad,
): Promise<WrkReport> {
  const args = [
    '-t',
    String(load.threads),
    '-c',
    String(load.connections),
    '-d',
    `${load.durationS}s`,
    '--latency',
    url,
  ];
  const wrk = registry.start('wrk', wrkPath, args, { captureOutput: true });
  let stdout = '';
  let stderr = '';
  wrk.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  wrk.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  await wrk.exited;
  if (wrk.startError) throw wrk.startError;
  if (wrk.child.exitCode !== 0) {
    throw new Error(
      `wrk ${args.join(' ')} exited with ${wrk.child.exitCode ?? wrk.child.signalCode}:\n${stderr}${stdout}`,
    );
  }
  return parseWrkReport(stdout);
}
