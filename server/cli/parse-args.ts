// meshscope's command line. Exactly one source of sidecars: --targets FILE, --kubeconfig FILE (or
// in-cluster, found automatically), or --demo (the default when nothing else is given: `npm start`).
// --prometheus URL switches the traffic figures to PromQL; discovery stays the same.
import { type LogLevel, parseLogLevel } from '../../proxy/log/logger.ts';
import { DEFAULT_WRITE_RATE, type RateLimit } from '../api/write-rate-limiter.ts';

export interface DashboardArgs {
  source: 'demo' | 'targets' | 'kubernetes';
  targets?: string;
  kubeconfig?: string;
  inCluster: boolean;
  prometheus?: string;
  address: string;
  port: number;
  scrapeIntervalMs: number;
  windowSeconds: number;
  demoRate: number;
  demoDir?: string;
  /** First three octets of the demo's loopback addresses (default 127.0.0): tests run demos side by side. */
  demoSubnet: string;
  logLevel: LogLevel;
  help: boolean;
  /** Bearer tokens for writes, one per line; else MESHSCOPE_TOKEN; else one generated and printed. */
  tokenFile?: string;
  /** Every write refused (403), reconciliation and guarded shifts stopped: a dashboard to look only. */
  readOnly: boolean;
  /** Writes per client: `burst` at once, `perSecond` sustained (`--write-rate N/S`: N per S seconds). */
  writeRate: RateLimit;
  /** The weight changes' audit log (JSON lines); default one per mesh in the data dir, the demo's in its dir. */
  auditFile?: string;
  /** Where the dashboard keeps its state; default $MESHSCOPE_DATA_DIR, else $XDG_STATE_HOME/meshscope. */
  dataDir?: string;
  /** Alert rules YAML (server/alerts/rules-file.ts); default: the built-in rules. */
  alertRules?: string;
  /** An Alertmanager to send alerts to (`<url>/api/v2/alerts`). */
  alertmanagerUrl?: string;
  /** The alert history (JSON lines); default one per mesh in the data dir, the demo's in its dir. */
  alertHistory?: string;
}

export class UsageError extends Error {}

export const USAGE = `usage: meshscope [--demo | --targets FILE | --kubeconfig FILE] [options]
       meshscope export-rules [options]   (the alert rules for Prometheus; see export-rules --help)
  --demo                 start a local demo mesh (bundled proxies, backends, load) and show it (default)
  --targets FILE         discover sidecars from a targets file (see README)
  --kubeconfig FILE      discover through Kubernetes (in a pod, the service account is used automatically)
  --in-cluster           reach sidecars at podIP:port instead of through the API server's pods/proxy
  --prometheus URL       read traffic from Prometheus (PromQL) instead of scraping sidecars directly
  --address ADDR         listen address (default 127.0.0.1; 0.0.0.0 in a pod)
  --port N               listen port (default 20001)
  --scrape-interval S    seconds between scrapes of a sidecar (default 5)
  --window S             rate window in seconds (default 60)
  --demo-rate N          demo load, requests per second (default 20)
  --demo-dir DIR         where the demo writes its configs (default: a temp dir)
  --demo-subnet A.B.C    loopback /24 for the demo's workloads (default 127.0.0: 127.0.0.10 and up)
  --token-file FILE      bearer tokens writes need ('<token>' or '<subject> <token>' lines); default
                         MESHSCOPE_TOKEN; with neither, one is generated (kept 0600 in the data dir, the
                         demo's in its dir) and printed at start
  --read-only            refuse every write (403); no reconciliation, no guarded shift steps
  --write-rate N/S       writes a client (token and address) may make: N at once, N per S seconds
                         sustained; past it 429 with Retry-After (default 10/10)
  --audit-file FILE      audit log of weight changes (default: one per mesh, audit-<id>.jsonl in the data
                         dir; the demo's in its own dir)
  --data-dir DIR         the dashboard's state (default: $MESHSCOPE_DATA_DIR or ~/.local/state/meshscope)
  --alert-rules FILE     alert rules YAML: settings of the built-in rules, per-namespace overrides
  --alertmanager-url URL also send alerts to this Alertmanager (POST <url>/api/v2/alerts)
  --alert-history FILE   alert transitions, JSON lines (default: alerts-<id>.jsonl in the data dir; the
                         demo's in its own dir)
  -l, --log-level LEVEL  trace|debug|info|warning|error (default info)`;

function num(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a number between ${min} and ${max}, got '${v ?? ''}'`);
  }
  return n;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): DashboardArgs {
  const a: DashboardArgs = {
    source: 'demo',
    inCluster: false,
    address: '127.0.0.1',
    port: 20001,
    scrapeIntervalMs: 5000,
    windowSeconds: 60,
    demoRate: 20,
    demoSubnet: '127.0.0',
    logLevel: 'info',
    help: false,
    readOnly: false,
    writeRate: DEFAULT_WRITE_RATE,
  };
  let chosen: string | undefined;
  const choose = (s: string) => {
    if (chosen && chosen !== s) throw new UsageError(`--${chosen} and --${s} cannot be used together`);
    chosen = s;
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]!;
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--demo':
        choose('demo');
        a.source = 'demo';
        break;
      case '--targets':
        choose('targets');
        a.source = 'targets';
        a.targets = next();
        break;
      case '--kubeconfig':
        choose('kubeconfig');
        a.source = 'kubernetes';
        a.kubeconfig = next();
        break;
      case '--in-cluster':
        a.inCluster = true;
        break;
      case '--prometheus':
        a.prometheus = next();
        if (!/^https?:\/\//.test(a.prometheus))
          throw new UsageError(`--prometheus must be an http(s) URL, got '${a.prometheus}'`);
        break;
      case '--address':
        a.address = next();
        break;
      case '--port':
        a.port = num(flag, next(), 0, 65535);
        break;
      case '--scrape-interval':
        a.scrapeIntervalMs = num(flag, next(), 0.2, 3600) * 1000;
        break;
      case '--window':
        a.windowSeconds = num(flag, next(), 10, 3600);
        break;
      case '--demo-rate':
        a.demoRate = num(flag, next(), 0, 10000);
        break;
      case '--demo-dir':
        a.demoDir = next();
        break;
      case '--demo-subnet':
        a.demoSubnet = next();
        if (!/^127\.\d{1,3}\.\d{1,3}$/.test(a.demoSubnet)) {
          throw new UsageError(
            `--demo-subnet must be three octets of 127/8, e.g. 127.0.79, got '${a.demoSubnet}'`,
          );
        }
        break;
      case '--token-file':
        a.tokenFile = next();
        break;
      case '--read-only':
        a.readOnly = true;
        break;
      case '--write-rate': {
        const v = next();
        const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(v);
        const burst = Number(m?.[1]);
        const seconds = Number(m?.[2]);
        if (m === null || burst < 1 || burst > 1_000_000 || !(seconds > 0) || seconds > 86_400) {
          throw new UsageError(`--write-rate is N/S (N writes per S seconds, N >= 1, S > 0), got '${v}'`);
        }
        a.writeRate = { burst, perSecond: burst / seconds };
        break;
      }
      case '--audit-file':
        a.auditFile = next();
        break;
      case '--data-dir':
        a.dataDir = next();
        break;
      case '--alert-rules':
        a.alertRules = next();
        break;
      case '--alertmanager-url':
        a.alertmanagerUrl = next();
        if (!/^https?:\/\//.test(a.alertmanagerUrl))
          throw new UsageError(`--alertmanager-url must be an http(s) URL, got '${a.alertmanagerUrl}'`);
        break;
      case '--alert-history':
        a.alertHistory = next();
        break;
      case '-l':
      case '--log-level': {
        const l = parseLogLevel(next());
        if (!l) throw new UsageError(`unknown log level '${value ?? argv[i]}'`);
        a.logLevel = l;
        break;
      }
      case '-h':
      case '--help':
        a.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${flag}'`);
    }
  }
  // In a pod with no explicit source, Kubernetes is the natural one (Kiali-style deployment).
  if (!chosen && env.KUBERNETES_SERVICE_HOST) {
    a.source = 'kubernetes';
    a.inCluster = true;
    a.address = '0.0.0.0';
  }
  return a;
}
