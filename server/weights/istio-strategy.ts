// The Istio strategy: a route istiod generated from a VirtualService is changed where Istio reads it.
// The VirtualService is read, the weights of its matching http route are set (istio-virtualservice.ts)
// and the missing DestinationRule subsets are created first (labels version: <subset>, as Kiali's
// wizard does), then the VirtualService is written with a merge patch carrying its resourceVersion (a
// concurrent edit is refused, 409) and, in the same patch, the change appended to its bounded
// `meshscope.io/weights-history` annotation. istiod pushes it to every sidecar; each replica is read
// back from its /config_dump for a moment (`applied`), else reported `pending` (istiod's push).
// Needs get/patch on virtualservices and get/list/create/patch on destinationrules
// (networking.istio.io), create on events.
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { AuditEntry, ReplicaOutcome, WeightChangeResult } from '../../shared/api/weights.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape, WeightedRouteConfig } from '../model/sidecar-data.ts';
import { type AuditLog, newAuditId } from './audit-log.ts';
import { liveRouteConfig, replicaUrl } from './bootstrap-replicas.ts';
import {
  type DestinationRuleLike,
  istioCluster,
  planSubsets,
  setVirtualServiceWeights,
  type VirtualServiceRef,
  virtualServiceOf,
} from './istio-virtualservice.ts';
import {
  type AuditMirror,
  appendHistory,
  DEFAULT_HISTORY_LIMIT,
  HISTORY_ANNOTATION,
} from './kubernetes-audit.ts';
import { routeConfigIn, type Weights, writtenVersion } from './route-weights.ts';
import type { ChangeMeta, WeightsLog } from './runtime-strategy.ts';
import { failure } from './service-failure.ts';
import type { RouteWriter } from './weights-controller.ts';

const GROUP = 'networking.istio.io';
/** Tried in order: v1 (Istio ≥ 1.22) serves the same objects as v1beta1. */
const VERSIONS = ['v1beta1', 'v1'];

export interface IstioStrategyOptions {
  kubeConfig: KubeConfig;
  sidecar: (id: string) => SidecarTarget | undefined;
  scrape: (id: string) => SidecarScrape | undefined;
  audit: AuditLog;
  mirror?: AuditMirror;
  timeoutMs?: number;
  /** How long to watch the replicas pick up istiod's push (default 2 s); then they are `pending`. */
  confirmMs?: number;
  historyLimit?: number;
  now?: () => number;
  log?: WeightsLog;
}

interface KubeObj {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

const codeOf = (e: unknown) => (e as { code?: unknown }).code;

export class IstioStrategy implements RouteWriter {
  private readonly opts: IstioStrategyOptions;
  private readonly api: CustomObjectsApi;
  private readonly now: () => number;
  private version = VERSIONS[0]!;

  constructor(opts: IstioStrategyOptions) {
    this.opts = opts;
    this.api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.now = opts.now ?? Date.now;
  }

  private configOf(route: WeightedRoute): WeightedRouteConfig | undefined {
    for (const r of route.replicas) {
      const s = this.opts.scrape(r.sidecarId);
      const c = s === undefined ? undefined : routeConfigIn(route, s);
      if (c?.istioConfig !== undefined) return c;
    }
    return undefined;
  }

  handles(route: WeightedRoute): boolean {
    return virtualServiceOf(this.configOf(route)?.istioConfig) !== undefined;
  }

  /** GET in the first API version the cluster serves. */
  private async get(plural: string, namespace: string, name: string): Promise<KubeObj> {
    let last: unknown;
    for (const version of [this.version, ...VERSIONS.filter((v) => v !== this.version)]) {
      try {
        const obj = (await this.api.getNamespacedCustomObject({
          group: GROUP,
          version,
          namespace,
          plural,
          name,
        })) as KubeObj;
        this.version = version;
        return obj;
      } catch (e) {
        last = e;
        if (codeOf(e) !== 404) throw e;
      }
    }
    throw last;
  }

  private async patch(plural: string, namespace: string, name: string, body: object): Promise<void> {
    await this.api.patchNamespacedCustomObject(
      { group: GROUP, version: this.version, namespace, plural, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** The DestinationRule subsets the new destinations need (Kiali: labels version: <subset>). */
  private async ensureSubsets(weights: Weights): Promise<string[]> {
    const byHost = new Map<string, string[]>();
    for (const name of Object.keys(weights)) {
      const c = istioCluster(name);
      if (c !== undefined) byHost.set(c.host, [...(byHost.get(c.host) ?? []), c.subset]);
    }
    const done: string[] = [];
    for (const [host, subsets] of byHost) {
      const namespace = host.split('.')[1] ?? 'default';
      const list = (await this.api.listNamespacedCustomObject({
        group: GROUP,
        version: this.version,
        namespace,
        plural: 'destinationrules',
      })) as { items?: DestinationRuleLike[] };
      const plan = planSubsets(host, subsets, list.items ?? []);
      if (plan.action === 'create') {
        await this.api.createNamespacedCustomObject({
          group: GROUP,
          version: this.version,
          namespace: plan.namespace,
          plural: 'destinationrules',
          body: {
            apiVersion: `${GROUP}/${this.version}`,
            kind: 'DestinationRule',
            metadata: {
              name: plan.name,
              namespace: plan.namespace,
              labels: { 'app.kubernetes.io/managed-by': 'meshscope' },
            },
            spec: plan.spec,
          },
        });
        done.push(
          `created DestinationRule ${plan.namespace}/${plan.name} with subsets ${subsets.join(', ')}`,
        );
      } else if (plan.action === 'update') {
        const { name, namespace: ns, resourceVersion } = plan.rule.metadata;
        await this.patch('destinationrules', ns, name, {
          metadata: { resourceVersion },
          spec: { subsets: plan.subsets },
        });
        done.push(`added subsets to DestinationRule ${ns}/${name}`);
      }
    }
    return done;
  }

  async apply(
    route: WeightedRoute,
    to: Weights,
    meta: ChangeMeta,
  ): Promise<ServiceResult<WeightChangeResult>> {
    const config = this.configOf(route);
    const ref = virtualServiceOf(config?.istioConfig);
    if (config === undefined || ref === undefined) {
      return failure(422, 'strategy_not_implemented', 'no VirtualService is known for this route');
    }
    let vs: KubeObj;
    try {
      vs = await this.get('virtualservices', ref.namespace, ref.name);
    } catch (e) {
      return failure(
        codeOf(e) === 404 ? 409 : 502,
        'virtualservice_unavailable',
        `cannot read VirtualService ${ref.namespace}/${ref.name}: ${(e as Error).message}`,
      );
    }
    const patched = setVirtualServiceWeights(vs.spec, ref, to, route.routeName);
    if (!patched.ok) return failure(409, 'virtualservice_mismatch', `${patched.error}; nothing was changed`);
    const from = patched.from;
    const entry: AuditEntry = {
      id: newAuditId(this.now()),
      at: this.now(),
      who: meta.who,
      routeId: route.id,
      from,
      to,
      ...(meta.reason !== undefined && { reason: meta.reason }),
      outcome: 'applied',
      ...(meta.revertOf !== undefined && { revertOf: meta.revertOf }),
    };
    let notes: string[];
    try {
      notes = await this.ensureSubsets(to);
    } catch (e) {
      return failure(
        502,
        'destinationrule_failed',
        `could not create the DestinationRule subsets: ${(e as Error).message}; nothing was changed`,
      );
    }
    const history = appendHistory(
      vs.metadata.annotations?.[HISTORY_ANNOTATION],
      entry,
      this.opts.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    );
    try {
      await this.patch('virtualservices', ref.namespace, ref.name, {
        metadata: {
          resourceVersion: vs.metadata.resourceVersion,
          annotations: { [HISTORY_ANNOTATION]: history },
        },
        spec: { http: patched.http },
      });
    } catch (e) {
      if (codeOf(e) === 409) {
        return failure(
          409,
          'virtualservice_changed',
          `VirtualService ${ref.namespace}/${ref.name} changed since it was read; reload and try again`,
        );
      }
      return failure(
        502,
        'virtualservice_failed',
        `could not write VirtualService ${ref.namespace}/${ref.name}: ${(e as Error).message}`,
      );
    }
    try {
      await this.opts.audit.append(entry);
      await this.opts.mirror?.(entry, {
        configMaps: [],
        workload: { namespace: route.source.namespace, name: route.source.workload },
      });
    } catch (e) {
      await this.restore(ref, vs).catch(() => {});
      return failure(
        500,
        'audit_failed',
        `the change could not be recorded (${(e as Error).message}); the VirtualService was put back`,
      );
    }
    const replicas = await Promise.all(route.replicas.map((r) => this.confirm(r, config, to)));
    this.opts.log?.(
      'info',
      `${route.id} (istio ${ref.namespace}/${ref.name}) ${JSON.stringify(from)} → ${JSON.stringify(to)} by ${meta.who}`,
    );
    return {
      ok: true,
      value: {
        routeId: route.id,
        version: writtenVersion(route, { id: entry.id, from, to }),
        from,
        to,
        strategy: 'istio',
        replicas,
        auditId: entry.id,
        outcome: 'applied',
        persisted: [{ kind: 'virtualservice', location: `virtualservice ${ref.namespace}/${ref.name}` }],
        ...(notes.length > 0 && { warnings: notes }),
      },
    };
  }

  /** Puts the VirtualService's http routes back as they were read (its own resourceVersion moved on). */
  private async restore(ref: VirtualServiceRef, before: KubeObj): Promise<void> {
    await this.patch('virtualservices', ref.namespace, ref.name, {
      spec: { http: before.spec?.['http'] ?? null },
    });
  }

  private async confirm(
    r: { sidecarId: string; adminUrl: string },
    at: WeightedRouteConfig,
    to: Weights,
  ): Promise<ReplicaOutcome> {
    const target = this.opts.sidecar(r.sidecarId);
    const base = { sidecarId: r.sidecarId, adminUrl: target ? replicaUrl(target) : r.adminUrl };
    const deadline = performance.now() + (this.opts.confirmMs ?? 2000);
    while (target !== undefined) {
      try {
        const c = await liveRouteConfig(target, at, this.opts.timeoutMs ?? 2000);
        if (c?.clusters.every((x) => x.weight === to[x.name])) return { ...base, status: 'applied' };
      } catch {
        // istio-proxy's admin may be unreachable from here (localhost-only); istiod still pushes.
      }
      if (performance.now() >= deadline) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    return {
      ...base,
      status: 'pending',
      error: 'the VirtualService is written; istiod pushes it to this sidecar',
    };
  }
}
