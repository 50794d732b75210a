// The resources the fake API server serves, and the discovery documents built from them. Shapes follow
// the API server's discovery endpoints (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`:
// APIVersions, APIGroupList and APIResourceList in meta/v1), which is what kubectl reads before any
// request to learn whether a resource is namespaced and which verbs it allows.

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, as in the URL path. */
  resource: string;
  kind: string;
  shortNames: string[];
  /** False for cluster-scoped resources (stored under the namespace ''); default namespaced. */
  namespaced?: false;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

// Istio's CRDs, served like any custom resource under /apis/<group>/<version> (the weights API's Istio
// strategy reads and patches them). Istio 1.22+ serves networking.istio.io at v1 and v1beta1 from one
// storage, so an object written at one version reads back at the other: the store is keyed by the
// plural alone, and every answer carries the apiVersion of the URL it was asked at (`servedAt`). The
// dashboard's informers use v1beta1; the k8s/ istio overlay is written at v1, listed first as the
// CRDs' preferred version.
const ISTIO_NETWORKING = 'networking.istio.io';
const ISTIO_NETWORKING_VERSIONS = ['v1', 'v1beta1'];

/**
 * The ones discovery needs (pods, their owners, Services…), and what `kubectl apply` of the k8s/
 * manifests creates (namespaces, ServiceAccounts, ClusterRoles and their bindings).
 */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', shortNames: ['po'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', shortNames: ['svc'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'] },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'] },
  ...ISTIO_NETWORKING_VERSIONS.flatMap((version): ResourceType[] => [
    {
      group: ISTIO_NETWORKING,
      version,
      resource: 'virtualservices',
      kind: 'VirtualService',
      shortNames: ['vs'],
    },
    {
      group: ISTIO_NETWORKING,
      version,
      resource: 'destinationrules',
      kind: 'DestinationRule',
      shortNames: ['dr'],
    },
  ]),
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    shortNames: [],
  },
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    shortNames: ['ns'],
    namespaced: false,
  },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    shortNames: [],
    namespaced: false,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    shortNames: [],
    namespaced: false,
  },
];

export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** A stored object as answered at `type`'s version (the same object whatever version wrote it). */
export function servedAt<T extends { apiVersion?: string }>(obj: T, type: ResourceType): T {
  return { ...obj, apiVersion: apiVersionOf(type) };
}

/**
 * The resource type of a kind (`Pod`) or a plural (`pods`), optionally within an apiVersion; without
 * one, the first declared (for a resource served at several versions, the preferred one).
 */
export function resourceTypeOf(kindOrResource: string, apiVersion?: string): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (t) =>
      (t.kind === kindOrResource || t.resource === kindOrResource) &&
      (apiVersion === undefined || apiVersionOf(t) === apiVersion),
  );
}

/** `/api`: the core group's versions. */
export function coreApiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupNames(): string[] {
  return [...new Set(RESOURCE_TYPES.map((t) => t.group).filter((g) => g !== ''))];
}

/**
 * `/apis`: the named groups, each with the versions it is served at; the first declared is the
 * preferred one (the API server lists a group's versions by priority, preferred first).
 */
export function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupNames().map((name) => {
      const versions = [...new Set(RESOURCE_TYPES.filter((t) => t.group === name).map((t) => t.version))].map(
        (version) => ({ groupVersion: `${name}/${version}`, version }),
      );
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
}

/**
 * `/api/v1` or `/apis/<group>/<version>`: the resources with their verbs, plus `pods/proxy` (the
 * subresource the dashboard reaches sidecars through). Undefined for a group version we do not serve.
 */
export function apiResourceList(group: string, version: string) {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = types.map((t) => ({
    name: t.resource,
    singularName: t.kind.toLowerCase(),
    namespaced: t.namespaced !== false,
    kind: t.kind,
    verbs: VERBS,
    ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
  }));
  if (group === '') {
    resources.push({
      name: 'pods/proxy',
      singularName: '',
      namespaced: true,
      kind: 'PodProxyOptions',
      verbs: ['create', 'delete', 'get', 'patch', 'update'],
    });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  };
}

/** `/version`, as a v1.32 API server answers it. */
export function versionInfo() {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-fake',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
