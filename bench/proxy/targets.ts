// Starts the origin and each benchmark target, and waits until each serves the origin's body through
// itself (so a target that answers on its own, or errors, never gets measured).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetName } from './bench-args.ts';
import type { ManagedProcess, ProcessRegistry } from './child-processes.ts';
import { renderBenchBootstrap } from './envoy-bootstrap.ts';
import { freePorts, waitUntilServing } from './loopback.ts';
import { originBody, renderNginxProxyConfig, renderOriginConfig } from './nginx-configs.ts';

export interface BenchContext {
  registry: ProcessRegistry;
  /** Temp directory for configs, logs and the access log. */
  workDir: string;
  repoRoot: string;
  nginxPath: string;
  /** The origin's two ports: the 80 % and the 20 % side of the weighted split. */
  originPorts: readonly [number, number];
}

export interface RunningTarget {
  name: TargetName;
  url: string;
  /** Root of the process tree whose CPU is charged to this target. */
  pid: number;
  process: ManagedProcess;
  accessLogPath?: string;
}

const split = { primary: 80, canary: 20 };

function exitReason(managed: ManagedProcess, logPath: string): string | undefined {
  if (managed.startError) return `${managed.name} could not start: ${managed.startError.message}`;
  const { exitCode, signalCode } = managed.child;
  if (exitCode === null && signalCode === null) return undefined;
  return `${managed.name} exited (${exitCode ?? signalCode}) before serving; its output:\n${tail(logPath)}`;
}

/** The last lines of a log, quoted in errors because the temp directory is removed on exit. */
function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

async function startServing(
  context: BenchContext,
  name: TargetName,
  command: string,
  args: string[],
  url: string,
  accessLogPath?: string,
): Promise<RunningTarget> {
  const logPath = join(context.workDir, `${name}.out.log`);
  const managed = context.registry.start(name, command, args, { logPath });
  await waitUntilServing(url, originBody, () => exitReason(managed, logPath));
  const pid = managed.child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`);
  return { name, url, pid, process: managed, ...(accessLogPath === undefined ? {} : { accessLogPath }) };
}

function startNginx(
  context: BenchContext,
  name: TargetName,
  config: string,
  url: string,
): Promise<RunningTarget> {
  const configPath = join(context.workDir, `${name}.nginx.conf`);
  writeFileSync(configPath, config);
  // -e: the error log before the config is read; the default (/var/log/nginx) may not be writable.
  const args = ['-p', context.workDir, '-c', configPath, '-e', join(context.workDir, `${name}.startup.log`)];
  return startServing(context, name, context.nginxPath, args, url);
}

export function startOrigin(context: BenchContext): Promise<RunningTarget> {
  const config = renderOriginConfig({ workDir: context.workDir, ports: context.originPorts, workers: 1 });
  return startNginx(context, 'origin', config, `http://127.0.0.1:${context.originPorts[0]}/`);
}

async function startMeshscope(
  context: BenchContext,
  name: TargetName,
  withAccessLog: boolean,
  policies = false,
): Promise<RunningTarget> {
  const entry = join(context.repoRoot, 'proxy', 'main.ts');
  if (!existsSync(entry)) {
    throw new Error(
      `target ${name}: the meshscope proxy is not there yet (${entry} is missing). ` +
        'Run the other targets with e.g. --targets origin,nginx,nodehttp',
    );
  }
  const [listenPort, adminPort] = await freePorts(2);
  const accessLogPath = withAccessLog ? join(context.workDir, `${name}.access.log`) : undefined;
  const configPath = join(context.workDir, `${name}.envoy.yaml`);
  writeFileSync(
    configPath,
    renderBenchBootstrap({
      listenPort: listenPort!,
      adminPort: adminPort!,
      clusters: [
        { name: 'primary', port: context.originPorts[0], weight: split.primary },
        { name: 'canary', port: context.originPorts[1], weight: split.canary },
      ],
      ...(accessLogPath === undefined ? {} : { accessLogPath }),
      ...(policies ? { policies } : {}),
    }),
  );
  const bin = join(context.repoRoot, 'bin', 'meshscope-proxy');
  return startServing(
    context,
    name,
    bin,
    ['-c', configPath],
    `http://127.0.0.1:${listenPort}/`,
    accessLogPath,
  );
}

/** Starts one target in front of the already running origin (`origin` itself is returned as is). */
export async function startTarget(
  context: BenchContext,
  name: TargetName,
  origin: RunningTarget,
): Promise<RunningTarget> {
  switch (name) {
    case 'origin':
      return origin;
    case 'nginx': {
      const [listenPort] = await freePorts(1);
      const config = renderNginxProxyConfig({
        workDir: context.workDir,
        listenPort: listenPort!,
        upstreams: [
          { port: context.originPorts[0], weight: split.primary },
          { port: context.originPorts[1], weight: split.canary },
        ],
      });
      return startNginx(context, name, config, `http://127.0.0.1:${listenPort}/`);
    }
    case 'meshscope':
      return startMeshscope(context, name, false);
    case 'meshscope-log':
      return startMeshscope(context, name, true);
    case 'meshscope-policies':
      return startMeshscope(context, name, true, true);
    case 'nodehttp': {
      const [listenPort] = await freePorts(1);
      const script = join(context.repoRoot, 'bench', 'proxy', 'node-http-proxy.ts');
      const upstreams = `${context.originPorts[0]}:${split.primary},${context.originPorts[1]}:${split.canary}`;
      const args = [script, '--port', String(listenPort), '--upstreams', upstreams];
      return startServing(context, name, process.execPath, args, `http://127.0.0.1:${listenPort}/`);
    }
  }
}
