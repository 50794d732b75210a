// What the ClusterRole in k8s/base grants that the simulated-cluster suites do not exercise yet, each
// with the feature it is granted for and the test that exercises it, or the feature being built
// (rbac.test.ts fails on anything granted that is neither exercised nor listed here, and on an entry
// here that the ClusterRole does not grant). When a feature's suite starts exercising an entry,
// rbac.test.ts says so: remove the entry then.
import type { Grant } from '../../support/rbac/rbac-rules.ts';

export interface AllowListEntry extends Grant {
  /** What meshscope needs it for. */
  feature: string;
  /** The test that exercises it, or why none can yet. */
  exercisedBy: string;
}

export const RBAC_ALLOW_LIST: readonly AllowListEntry[] = [
  // Informers list and watch; nothing reads one Service, EndpointSlice or ReplicaSet by name, but a
  // role that may list and watch a resource reveals every object anyway, so `get` adds nothing and
  // keeps `kubectl auth can-i get` answers unsurprising.
  ...(['services', 'replicasets', 'endpointslices'] as const).map((resource) => ({
    apiGroup: resource === 'services' ? '' : resource === 'replicasets' ? 'apps' : 'discovery.k8s.io',
    resource,
    verb: 'get',
    feature: 'discovery (informers list and watch; get implied by them)',
    exercisedBy: 'not exercised: the informers only list and watch',
  })),
  // Deployments: `patch` (the static strategy's rollout restart for a real Envoy) is exercised by
  // test/integration/weights/weights-kubernetes-static.test.ts. Reading and watching them would show
  // a workload's rollout state; issue 8 grants them with the other workload kinds, nothing reads
  // them yet (a pod's Deployment is found through its ReplicaSet's owner reference).
  ...(['get', 'list', 'watch'] as const).map((verb) => ({
    apiGroup: 'apps',
    resource: 'deployments',
    verb,
    feature: 'workload rollout state beside the graph (issue 8)',
    exercisedBy: 'not exercised: no Deployment informer yet',
  })),
  {
    apiGroup: '',
    resource: 'pods/proxy',
    verb: 'create',
    feature: 'POST /runtime_modify to a sidecar through the API server (meshscope outside the cluster)',
    exercisedBy: 'not exercised: the simulated-cluster weight tests reach the replicas at their pod IPs',
  },
  // Istio. The weights API's Istio strategy (server/weights/istio-strategy.ts) gets and patches
  // VirtualServices and lists and patches DestinationRules, exercised by
  // test/integration/weights/weights-istio.test.ts, which also has it create a DestinationRule when
  // none holds the subsets. The traffic policies Istio configures are read
  // by list and watch on both (server/sources/kubernetes/istio-policies.ts, exercised by
  // test/integration/kubernetes/istio-policies.test.ts); nothing gets one DestinationRule by name.
  {
    apiGroup: 'networking.istio.io',
    resource: 'destinationrules',
    verb: 'get',
    feature: 'Istio traffic policies beside the graph (DestinationRule circuit breakers, outlier detection)',
    exercisedBy: 'not exercised: the informer lists and watches; get implied by them',
  },
];
