// Envoy's command line, the subset a sidecar is started with: `-c/--config-path`, `--config-yaml`,
// `--mode serve|validate`, `-l/--log-level`, `--service-node`, `--service-cluster`, `--service-zone`,
// `--drain-time-s`, `--concurrency`, `--base-id` (accepted, single process anyway), plus our
// `--hosts-file` (a hosts(5) file consulted before DNS, for STRICT_DNS names in tests and demos) and
// `--no-watch` (do not watch the bootstrap file for changes).
import { type LogLevel, parseLogLevel } from '../log/logger.ts';

export interface ProxyArgs {
  configPath?: string;
  configYaml?: string;
  mode: 'serve' | 'validate';
  logLevel: LogLevel;
  serviceNode?: string;
  serviceCluster?: string;
  serviceZone?: string;
  drainTimeS: number;
  hostsFile?: string;
  watch: boolean;
  version: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: meshscope-proxy -c <bootstrap.yaml|json> [options]
  -c, --config-path PATH     Envoy v3 bootstrap (YAML or JSON)
      --config-yaml YAML     inline bootstrap (merged over --config-path, as Envoy does)
      --mode serve|validate  validate: check the configuration and exit (0 = valid)
  -l, --log-level LEVEL      trace|debug|info|warning|error|critical|off (default info)
      --service-node NAME    node.id
      --service-cluster NAME node.cluster (also selects the runtime disk layer's service subdirectory)
      --service-zone NAME    accepted for compatibility
      --drain-time-s N       seconds SIGTERM waits for in-flight requests (default 5)
      --hosts-file PATH      hosts(5) file consulted before DNS (also MESHSCOPE_HOSTS_FILE)
      --no-watch             do not reload when the bootstrap file changes
      --concurrency N, --base-id N, --disable-hot-restart   accepted for compatibility
      --version, -h/--help`;

const WITH_VALUE = new Set([
  '-c',
  '--config-path',
  '--config-yaml',
  '--mode',
  '-l',
  '--log-level',
  '--service-node',
  '--service-cluster',
  '--service-zone',
  '--drain-time-s',
  '--hosts-file',
  '--concurrency',
  '--base-id',
  '--log-format',
  '--log-path',
  '--component-log-level',
]);

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ProxyArgs {
  const out: ProxyArgs = {
    mode: 'serve',
    logLevel: 'info',
    drainTimeS: 5,
    watch: true,
    version: false,
    help: false,
  };
  if (env.MESHSCOPE_HOSTS_FILE) out.hostsFile = env.MESHSCOPE_HOSTS_FILE;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (WITH_VALUE.has(arg) && value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option ${arg} needs a value`);
    }
    switch (arg) {
      case '-c':
      case '--config-path':
        out.configPath = value;
        break;
      case '--config-yaml':
        out.configYaml = value;
        break;
      case '--mode':
        if (value !== 'serve' && value !== 'validate')
          throw new UsageError(`--mode must be serve or validate, got '${value}'`);
        out.mode = value;
        break;
      case '-l':
      case '--log-level': {
        const l = parseLogLevel(value!);
        if (!l) throw new UsageError(`unknown log level '${value}'`);
        out.logLevel = l;
        break;
      }
      case '--service-node':
        out.serviceNode = value;
        break;
      case '--service-cluster':
        out.serviceCluster = value;
        break;
      case '--service-zone':
        out.serviceZone = value;
        break;
      case '--drain-time-s': {
        const n = Number(value);
        if (!Number.isFinite(n) || n < 0)
          throw new UsageError(`--drain-time-s must be a number of seconds, got '${value}'`);
        out.drainTimeS = n;
        break;
      }
      case '--hosts-file':
        out.hostsFile = value;
        break;
      case '--no-watch':
        out.watch = false;
        break;
      case '--concurrency':
      case '--base-id':
      case '--log-format':
      case '--log-path':
      case '--component-log-level':
      case '--disable-hot-restart':
        break;
      case '--version':
        out.version = true;
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (!out.help && !out.version && out.configPath === undefined && out.configYaml === undefined) {
    throw new UsageError('a configuration is required: -c <path> or --config-yaml <yaml>');
  }
  return out;
}
