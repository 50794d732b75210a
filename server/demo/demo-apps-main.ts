// The demo's apps process: every workload's app server plus the load generator, in one Node process so
// the demo stays at a handful of processes on a small machine. Driven over IPC by start-demo-mesh.ts;
// it exits when the parent stops it (SIGTERM) or goes away (the IPC channel disconnects: the parent
// died, even by SIGKILL), so it never outlives the demo.
import { type AppServers, startAppServers } from './app-servers.ts';
import type { FromApps, ToApps } from './demo-apps-protocol.ts';
import { LoadGenerator } from './load-generator.ts';

let servers: AppServers | undefined;
let load: LoadGenerator | undefined;
let exiting = false;

function send(m: FromApps): void {
  if (process.connected) process.send?.(m);
}

async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  load?.stop();
  // Whatever happens to the graceful close, do not linger.
  setTimeout(() => process.exit(code), 2_000).unref();
  await servers?.close().catch(() => {});
  process.exit(code);
}

async function start(m: Extract<ToApps, { type: 'start' }>): Promise<void> {
  try {
    servers = await startAppServers(m.workloads);
    load = new LoadGenerator(m.load);
    send({ type: 'ready' });
  } catch (e) {
    send({ type: 'error', message: (e as Error).message });
    await exit(1);
  }
}

process.on('message', (m: ToApps) => {
  switch (m.type) {
    case 'start':
      void start(m);
      break;
    case 'rate':
      try {
        load?.setRate(m.rps);
      } catch (e) {
        send({ type: 'error', message: (e as Error).message });
      }
      break;
    case 'stats':
      if (load) send({ type: 'stats', id: m.id, stats: load.snapshot() });
      break;
  }
});
process.on('disconnect', () => void exit(0));
process.on('SIGTERM', () => void exit(0));
process.on('SIGINT', () => void exit(0));
if (!process.connected) {
  process.stderr.write('demo-apps-main.ts runs as a child of the meshscope demo (it needs an IPC channel)\n');
  process.exit(2);
}
