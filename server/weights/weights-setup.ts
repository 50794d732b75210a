// Wiring of the weights API for bin/meshscope: the audit log (opened, torn tail repaired), the write
// tokens (none with --read-only), the controller over the dashboard's routes and scrapes, and where
// durable values go.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import { AuditLog } from './audit-log.ts';
import { configMapBootstrapLookup } from './bootstrap-configmap-document.ts';
import type { DurableLookup } from './durable-runtime.ts';
import { IstioStrategy } from './istio-strategy.ts';
import { kubernetesAuditMirror } from './kubernetes-audit.ts';
import { WeightsController, type WeightsLog } from './weights-controller.ts';
import { deploymentRestarter } from './workload-restart.ts';
import { authorizeWrite, type WriteAuth, type WriteRequestInfo } from './write-auth.ts';
import { resolveWriteTokens, type WriteTokens } from './write-tokens.ts';

/** `$MESHSCOPE_DATA_DIR`, else `$XDG_STATE_HOME/meshscope`, else `~/.local/state/meshscope`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env['MESHSCOPE_DATA_DIR']) return env['MESHSCOPE_DATA_DIR'];
  return join(env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'meshscope');
}

/**
 * `<data dir>/audit-<hash of the scope>.jsonl`: one log per mesh (a targets file's path, a cluster's
 * API server), so the desired weights of one mesh are never reconciled onto another whose route ids
 * happen to match.
 */
export function defaultAuditFile(dataDir: string, scope: string): string {
  return join(dataDir, `audit-${createHash('sha256').update(scope).digest('hex').slice(0, 12)}.jsonl`);
}

/** Where a generated write token is kept: beside the dashboard's other state. */
export function generatedTokenFile(stateDir: string): string {
  return join(stateDir, 'write-token');
}

export interface WeightsSetupOptions {
  auditFile: string;
  tokenFile: string | undefined;
  /** Where a token is generated when neither --token-file nor MESHSCOPE_TOKEN gives one. */
  generatedTokenFile: string;
  /** --read-only: no token is looked for, every write is refused. */
  readOnly: boolean;
  env: NodeJS.ProcessEnv;
  routes: () => readonly WeightedRoute[];
  sidecars: () => readonly SidecarTarget[];
  scrape: (id: string) => SidecarScrape | undefined;
  /** Where replicas' weights are made durable; default: their runtime directories on this machine. */
  durable?: (
    target: SidecarTarget,
    scrape: SidecarScrape | undefined,
    keys: readonly string[],
  ) => Promise<DurableLookup>;
  log: WeightsLog;
  /**
   * Kubernetes: static weights are rewritten in the ConfigMap mounted as the bootstrap, workloads can
   * be restarted (rollout restart), Istio routes are written through their VirtualService, and every
   * change is also recorded on the ConfigMap (history annotation) and as an Event.
   */
  kubeConfig?: KubeConfig;
}

export interface WeightsSetup {
  controller: WeightsController;
  authorize: (info: WriteRequestInfo) => WriteAuth;
  /** Where the tokens came from; undefined with --read-only. */
  tokens: WriteTokens | undefined;
  /** How writes are authorized, for the start-up message. */
  writeAccess: string;
  stop(): Promise<void>;
}

export async function setupWeights(opts: WeightsSetupOptions): Promise<WeightsSetup> {
  const resolved = opts.readOnly
    ? undefined
    : await resolveWriteTokens({
        tokenFile: opts.tokenFile,
        env: opts.env,
        generatedFile: opts.generatedTokenFile,
      });
  const tokens = resolved?.tokens ?? [];
  const audit = await AuditLog.open(opts.auditFile, { log: (m) => opts.log('warning', m) });
  const sidecar = (id: string) => opts.sidecars().find((s) => s.id === id);
  const mirror = opts.kubeConfig === undefined ? undefined : kubernetesAuditMirror(opts.kubeConfig);
  const controller = new WeightsController({
    routes: opts.routes,
    sidecar,
    scrape: opts.scrape,
    audit,
    ...(opts.durable !== undefined && { durable: opts.durable }),
    ...(opts.kubeConfig !== undefined && {
      bootstrap: configMapBootstrapLookup(opts.kubeConfig),
      restart: deploymentRestarter(opts.kubeConfig),
      mirror: mirror!,
      istio: new IstioStrategy({
        kubeConfig: opts.kubeConfig,
        sidecar,
        scrape: opts.scrape,
        audit,
        mirror: mirror!,
        log: opts.log,
      }),
    }),
    log: opts.log,
  });
  const subjects = [...new Set(tokens.map((t) => t.subject))].join(', ');
  return {
    controller,
    authorize: (info) => authorizeWrite(info, tokens),
    tokens: resolved,
    writeAccess:
      resolved === undefined
        ? 'read-only: every write is refused'
        : `writes need a bearer token (${tokens.length} from ${tokenOrigin(resolved)}: ${subjects})`,
    stop: () => audit.close(),
  };
}

function tokenOrigin(t: WriteTokens): string {
  if (t.source === 'file') return t.file;
  if (t.source === 'env') return 'MESHSCOPE_TOKEN';
  return `${t.file}, generated${t.created ? ' now' : ' before'}`;
}
