// The runtime strategy (routes with `runtime_key_prefix`): the new values go to the replicas' durable
// runtime location (disk layer directory, or ConfigMap) while every replica gets one `/runtime_modify`
// and is read back; once both are done the change is appended to the audit log (fsynced), then
// answered. Nothing is left half-done on an error: when every replica refuses, the durable location is
// restored (502); when the durable write or the audit append fails, the durable location and the
// replicas get the previous weights again (500).
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { AuditEntry, ReplicaOutcome, WeightChangeResult } from '../../shared/api/weights.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import { type AuditLog, newAuditId } from './audit-log.ts';
import type { DurableLookup, DurableRuntime } from './durable-runtime.ts';
import { KeyLock } from './key-lock.ts';
import type { AuditMirror } from './kubernetes-audit.ts';
import { applyToReplica, modifyRuntime } from './replica-runtime.ts';
import { effectiveWeights, managedVersion, runtimeValues, type Weights } from './route-weights.ts';
import { lookupRuntimeDir } from './runtime-dir-store.ts';
import { failure } from './service-failure.ts';

export type WeightsLog = (level: 'debug' | 'info' | 'warning', msg: string) => void;

export interface RuntimeStrategyOptions {
  sidecar: (id: string) => SidecarTarget | undefined;
  /** The latest scrape of a sidecar (runtime values, disk layer, route configuration). */
  scrape: (id: string) => SidecarScrape | undefined;
  audit: AuditLog;
  /** A replica's durable location; default: its runtime directory on this machine. */
  durable?: (
    target: SidecarTarget,
    scrape: SidecarScrape | undefined,
    keys: readonly string[],
  ) => Promise<DurableLookup>;
  /** Kubernetes: each change also goes to the ConfigMap's history annotation and an Event. */
  mirror?: AuditMirror;
  /** Deadline of each admin request (default 2 s). */
  timeoutMs?: number;
  /** How long a read-back may wait for the values to show (default 1 s). */
  confirmMs?: number;
  now?: () => number;
  log?: WeightsLog;
}

export interface ChangeMeta {
  who: string;
  reason: string | undefined;
  revertOf: string | undefined;
}

export class RuntimeStrategy {
  private readonly opts: RuntimeStrategyOptions;
  private readonly now: () => number;
  private readonly log: WeightsLog;
  /** One read-merge-write at a time per durable location (routes of one sidecar share its directory). */
  private readonly storeLock = new KeyLock();

  constructor(opts: RuntimeStrategyOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  private async durableStores(
    targets: readonly SidecarTarget[],
    keys: readonly string[],
    warnings: string[],
  ): Promise<DurableRuntime[]> {
    const lookup = this.opts.durable ?? lookupRuntimeDir;
    const stores = new Map<string, DurableRuntime>();
    const found = await Promise.all(targets.map((t) => lookup(t, this.opts.scrape(t.id), keys)));
    for (const [i, f] of found.entries()) {
      const t = targets[i]!;
      if (f.ok) stores.set(f.store.key, f.store);
      else
        warnings.push(
          `${t.id}: not persisted (${f.reason}); it keeps these weights until it restarts, and meshscope re-applies them while it runs`,
        );
    }
    return [...stores.values()];
  }

  /** Writes each store in turn; stops at the first failure, saying which. */
  private async writeStores(stores: readonly DurableRuntime[], values: Readonly<Record<string, string>>) {
    const written: { store: DurableRuntime; previous: Record<string, string | undefined> }[] = [];
    for (const store of stores) {
      try {
        written.push({ store, previous: await this.storeLock.run(store.key, () => store.write(values)) });
      } catch (e) {
        return { written, error: { location: store.location, message: (e as Error).message } };
      }
    }
    return { written, error: undefined };
  }

  /** Best effort: the previous weights on every replica again (those that took the change). */
  private async putBackRuntime(
    targets: readonly SidecarTarget[],
    prefix: string,
    from: Weights,
  ): Promise<void> {
    await Promise.all(
      targets.map((t) =>
        modifyRuntime(t, runtimeValues(prefix, from), this.opts.timeoutMs ?? 2000).catch(() => {}),
      ),
    );
  }

  private async restoreStores(
    written: readonly { store: DurableRuntime; previous: Record<string, string | undefined> }[],
  ) {
    for (const { store, previous } of written) {
      try {
        await this.storeLock.run(store.key, () => store.restore(previous));
      } catch (e) {
        this.log('warning', `could not restore ${store.location}: ${(e as Error).message}`);
      }
    }
  }

  /** Sets `to` on a route with a runtime key prefix (the caller has checked the change is allowed). */
  async apply(
    route: WeightedRoute,
    to: Weights,
    meta: ChangeMeta,
  ): Promise<ServiceResult<WeightChangeResult>> {
    const prefix = route.runtimeKeyPrefix!;
    const from = route.desiredWeights ?? effectiveWeights(route);
    const values = runtimeValues(prefix, to);
    const targets = route.replicas.map((r) => this.opts.sidecar(r.sidecarId));
    const present = targets.filter((t): t is SidecarTarget => t !== undefined);
    const warnings: string[] = [];
    const audit = (outcome: AuditEntry['outcome']): AuditEntry => ({
      id: newAuditId(this.now()),
      at: this.now(),
      who: meta.who,
      routeId: route.id,
      from,
      to,
      ...(meta.reason !== undefined && { reason: meta.reason }),
      outcome,
      ...(meta.revertOf !== undefined && { revertOf: meta.revertOf }),
    });

    // 1. The durable location and every replica at once; the answer waits for both, so a change
    // reported done survives a restart. One after the other, the disk layer's swap (which every
    // replica then reloads) would add its time to the replicas' (bench/weights).
    const stores = await this.durableStores(present, Object.keys(values), warnings);
    const [persisted, replicas] = await Promise.all([
      this.writeStores(stores, values),
      Promise.all(
        route.replicas.map((r, i): Promise<ReplicaOutcome> | ReplicaOutcome => {
          const t = targets[i];
          if (t === undefined) {
            return {
              sidecarId: r.sidecarId,
              adminUrl: r.adminUrl,
              status: 'failed',
              error: 'no longer discovered',
            };
          }
          return applyToReplica(t, values, {
            timeoutMs: this.opts.timeoutMs ?? 2000,
            confirmMs: this.opts.confirmMs ?? 1000,
          });
        }),
      ),
    ]);
    const written = persisted.written;
    if (persisted.error !== undefined) {
      await this.restoreStores(written);
      await this.putBackRuntime(present, prefix, from);
      await this.appendQuietly(audit('failed'), route);
      return failure(
        500,
        'persist_failed',
        `could not write ${persisted.error.location}: ${persisted.error.message}; the previous weights were put back`,
      );
    }
    const applied = replicas.filter((r) => r.status === 'applied').length;
    const pending = replicas.filter((r) => r.status === 'pending').length;
    const outcome = applied === replicas.length ? 'applied' : applied + pending > 0 ? 'partial' : 'failed';
    if (outcome === 'failed') {
      await this.restoreStores(written);
      await this.appendQuietly(audit('failed'), route);
      const why = replicas.map((r) => `${r.sidecarId}: ${r.error ?? r.status}`).join('; ');
      return failure(502, 'apply_failed', `no replica took the new weights, nothing was changed: ${why}`);
    }

    // 2. Audit, durably, before the answer.
    const entry = audit(outcome);
    try {
      await this.opts.audit.append(entry);
      await this.opts.mirror?.(entry, mirrorTarget(route, written));
    } catch (e) {
      await this.restoreStores(written);
      await this.putBackRuntime(present, prefix, from);
      return failure(
        500,
        'audit_failed',
        `the change could not be recorded in ${this.opts.audit.path} (${(e as Error).message}); the previous weights were put back`,
      );
    }
    this.log(
      'info',
      `${route.id} ${JSON.stringify(from)} → ${JSON.stringify(to)} by ${meta.who}: ${outcome}`,
    );
    return {
      ok: true,
      value: {
        routeId: route.id,
        version: managedVersion(route, entry.id),
        from,
        to,
        strategy: 'runtime',
        replicas,
        auditId: entry.id,
        outcome,
        persisted: written.map(({ store }) => ({ kind: store.kind, location: store.location })),
        ...(warnings.length > 0 && { warnings }),
      },
    };
  }

  private async appendQuietly(entry: AuditEntry, route?: WeightedRoute): Promise<void> {
    try {
      await this.opts.audit.append(entry);
      if (route !== undefined) await this.opts.mirror?.(entry, mirrorTarget(route, []));
    } catch (e) {
      this.log('warning', `could not record a failed change of ${entry.routeId}: ${(e as Error).message}`);
    }
  }

  /**
   * Reconciliation of one drifting replica: its durable location first, when it does not hold the
   * values (a ConfigMap edited by hand, a runtime directory rewritten), then its runtime.
   */
  async repair(target: SidecarTarget, values: Readonly<Record<string, string>>): Promise<void> {
    const found = await (this.opts.durable ?? lookupRuntimeDir)(
      target,
      this.opts.scrape(target.id),
      Object.keys(values),
    );
    if (found.ok) {
      const store = found.store;
      await this.storeLock.run(store.key, async () => {
        const current = await store.read(Object.keys(values));
        if (Object.entries(values).some(([k, v]) => current[k] !== v)) await store.write(values);
      });
    }
    await modifyRuntime(target, values, this.opts.timeoutMs ?? 2000);
  }
}

/** Where a change is recorded in Kubernetes: the runtime ConfigMaps written, the route's workload. */
function mirrorTarget(route: WeightedRoute, written: readonly { store: DurableRuntime }[]) {
  const configMaps = written
    .filter(({ store }) => store.kind === 'configmap')
    .map(({ store }) => {
      const [namespace = '', name = ''] = store.key.replace(/^configmap:/, '').split('/');
      return { namespace, name };
    });
  return { configMaps, workload: { namespace: route.source.namespace, name: route.source.workload } };
}
