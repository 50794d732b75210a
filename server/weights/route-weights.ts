// Pure helpers over a WeightedRoute (the GET /api/routes contract) and a replica's scrape: runtime keys,
// current weights, the version of a route whose weights meshscope manages, and the route's configuration
// in a replica's config dump.
import { createHash } from 'node:crypto';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import { routeId } from '../graph/graph-ids.ts';
import type { SidecarScrape, WeightedRouteConfig } from '../model/sidecar-data.ts';

export type Weights = Record<string, number>;

/** `<runtime_key_prefix>.<cluster>` → weight as text: the keys Envoy reads the route's weights from. */
export function runtimeValues(prefix: string, weights: Readonly<Weights>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(weights).sort()) out[`${prefix}.${name}`] = String(weights[name]);
  return out;
}

/** The weights the route's first replica uses now (runtime override or configured weight). */
export function effectiveWeights(route: WeightedRoute): Weights {
  const out: Weights = {};
  for (const c of route.clusters) out[c.name] = c.effectiveWeight;
  return out;
}

export function sameWeights(a: Readonly<Weights>, b: Readonly<Weights>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * The version of a route whose weights meshscope manages: its configuration (prefix, clusters and their
 * configured weights) and the audit entry that set its weights. Runtime values are left out on
 * purpose: reconciliation keeps them at the audited weights, so they are not news, and leaving them out
 * makes the version a change returns the one GET /api/routes shows once the replicas are scraped again.
 * A concurrent change with the same If-Match fails: the audit entry, hence the version, has moved on.
 */
export function managedVersion(route: WeightedRoute, auditId: string): string {
  const config = JSON.stringify([
    route.runtimeKeyPrefix,
    route.clusters.map((c) => [c.name, c.configuredWeight]),
    auditId,
  ]);
  return `w${createHash('sha256').update(config).digest('base64url').slice(0, 12)}`;
}

/** An If-Match value as sent: `v`, `"v"` or `W/"v"` all name version v. */
export function normalizeIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const v = header.trim().replace(/^W\//, '');
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** The route's configuration in one replica's scrape (matched by the route id), if it has it. */
export function routeConfigIn(route: WeightedRoute, scrape: SidecarScrape): WeightedRouteConfig | undefined {
  return scrape.routes.find(
    (c) =>
      routeId(
        route.source.namespace,
        route.source.workload,
        c.listener,
        c.routeConfig,
        c.virtualHost,
        c.routeIndex,
      ) === route.id,
  );
}

/** When a scrape began (the /runtime it read is at least that recent). */
export function scrapeStartedAt(scrape: SidecarScrape): number {
  const duration = (scrape as { durationMs?: unknown }).durationMs;
  return typeof duration === 'number' && Number.isFinite(duration) ? scrape.at - duration : scrape.at;
}

/**
 * The version of a static or Istio route after change `last`: the one that change answered with,
 * whether the replicas serve its weights yet (reloaded) or still the previous ones (an Envoy waiting
 * for its restart, istiod's push on its way); configured weights that are neither (a hand edit) give
 * another version.
 */
export function writtenVersion(
  route: WeightedRoute,
  last: { id: string; from: Weights; to: Weights },
): string {
  const configured: Weights = Object.fromEntries(route.clusters.map((c) => [c.name, c.configuredWeight]));
  const shown = sameWeights(configured, last.from) ? last.to : configured;
  return managedVersion(
    {
      ...route,
      clusters: route.clusters.map((c) => ({ ...c, configuredWeight: shown[c.name] ?? c.configuredWeight })),
    },
    last.id,
  );
}
