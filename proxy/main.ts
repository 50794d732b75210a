// meshscope-proxy: the bundled Envoy-compatible sidecar. Started like Envoy
// (`meshscope-proxy -c envoy.yaml`), answers Envoy's admin API, and additionally applies changes to its
// bootstrap file live.
import { startAdmin } from './admin/admin-server.ts';
import { parseArgs, USAGE, UsageError } from './cli/parse-args.ts';
import { ConfigError } from './config/config-error.ts';
import { watchFiles } from './config/file-watcher.ts';
import { loadBootstrap } from './config/load-bootstrap.ts';
import type { Bootstrap } from './config/model.ts';
import { createLogger } from './log/logger.ts';
import { ProxyServer } from './server/proxy-server.ts';
import { PROXY_VERSION } from './server/server-stats.ts';

function load(args: ReturnType<typeof parseArgs>): Bootstrap {
  return loadBootstrap({
    ...(args.configPath !== undefined ? { path: args.configPath } : {}),
    ...(args.configYaml !== undefined ? { yaml: args.configYaml } : {}),
    ...(args.serviceNode !== undefined ? { serviceNode: args.serviceNode } : {}),
    ...(args.serviceCluster !== undefined ? { serviceCluster: args.serviceCluster } : {}),
  });
}

function configFiles(b: Bootstrap, path: string | undefined): string[] {
  const files = path ? [path] : [];
  for (const l of b.listeners) if (l.hcm.rdsPath) files.push(l.hcm.rdsPath);
  return files;
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`meshscope-proxy: ${e.message}\n${USAGE}\n`);
      return 1;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`meshscope-proxy version: ${PROXY_VERSION} (Envoy v3 API subset)\n`);
    return 0;
  }
  const log = createLogger(args.logLevel);
  let bootstrap: Bootstrap;
  try {
    bootstrap = load(args);
  } catch (e) {
    if (e instanceof ConfigError) {
      // The message already names the file, the field path and the line.
      process.stderr.write(`error initializing configuration: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (args.mode === 'validate') {
    process.stdout.write(`configuration '${args.configPath ?? '--config-yaml'}' OK\n`);
    return 0;
  }

  const proxy = new ProxyServer(bootstrap, {
    log,
    ...(args.hostsFile !== undefined ? { hostsFile: args.hostsFile } : {}),
    drainTimeMs: args.drainTimeS * 1000,
    commandLine: { ...args },
  });
  let quitting = false;
  const shutdown = async (reason: string) => {
    if (quitting) return;
    quitting = true;
    log('info', 'main', `${reason}: draining`);
    watcher?.close();
    await proxy.drain();
    await admin?.close();
    await proxy.close();
    log('info', 'main', 'exiting');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('caught SIGTERM'));
  process.on('SIGINT', () => void shutdown('caught SIGINT'));

  let admin: Awaited<ReturnType<typeof startAdmin>> | undefined;
  let watcher: ReturnType<typeof watchFiles> | undefined;
  try {
    await proxy.start();
    if (bootstrap.admin) {
      admin = await startAdmin(
        {
          stats: proxy.stats,
          bootstrap: () => proxy.bootstrap,
          clusters: () =>
            Array.from(proxy.clusterManager.all(), (c) => ({ config: c.config, hosts: c.hosts })),
          runtime: proxy.runtime,
          server: {
            state: () => (proxy.draining ? 'DRAINING' : 'LIVE'),
            startTime: proxy.startTime,
            version: PROXY_VERSION,
            commandLine: { ...args },
            get healthcheckFailed() {
              return proxy.healthcheckFailed;
            },
            set healthcheckFailed(v: boolean) {
              proxy.healthcheckFailed = v;
            },
            quit: () => void shutdown('quitquitquit'),
          },
        },
        bootstrap.admin.address,
      );
      log('info', 'main', `admin address: ${bootstrap.admin.address.address}:${admin.address.port}`);
    }
  } catch (e) {
    log('critical', 'main', (e as Error).message);
    process.stderr.write(`meshscope-proxy: ${(e as Error).message}\n`);
    await proxy.close();
    return 1;
  }

  if (args.watch && args.configPath !== undefined) {
    const path = args.configPath;
    const rewatch = () => {
      watcher?.close();
      watcher = watchFiles(configFiles(proxy.bootstrap, path), () => void reload());
    };
    const reload = async () => {
      let next: Bootstrap;
      try {
        next = load(args);
      } catch (e) {
        // An invalid file never replaces a working configuration: the old one keeps serving.
        log(
          'error',
          'config',
          `configuration change rejected, keeping the current one: ${(e as Error).message}`,
        );
        proxy.stats.counter('server.meshscope.config_reload_rejected').inc();
        return;
      }
      try {
        await proxy.apply(next);
        proxy.stats.counter('server.meshscope.config_reload_success').inc();
        log('info', 'config', 'configuration reloaded');
      } catch (e) {
        log('error', 'config', `configuration partly applied: ${(e as Error).message}`);
      }
      rewatch();
    };
    rewatch();
  }
  log('info', 'main', 'all listeners started; proxy is live');
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`meshscope-proxy: fatal: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
