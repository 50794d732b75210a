import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type IstioObject, istioPolicies } from '../../../../server/sources/kubernetes/istio-policies.ts';
import { fencedBlocks } from '../../../support/seed-blocks.ts';
import { SEEDS_DIR } from '../../../support/shared-paths.ts';

const LAB = 'istio-traffic-management-lab.md';

/** The Istio objects of the lab's first `kubectl apply -f - <<EOF` block (yaml or bash) containing `marker`. */
function labObjects(marker: string): IstioObject[] {
  const block = fencedBlocks(readFileSync(`${SEEDS_DIR}/${LAB}`, 'utf8')).find((b) =>
    b.text.includes(marker),
  );
  if (block === undefined) throw new Error(`no block with ${marker}`);
  const yaml = block.text
    .split('\n')
    .filter((l) => !l.startsWith('kubectl ') && l.trim() !== 'EOF')
    .join('\n');
  return parseAllDocuments(yaml).map((d) => d.toJS() as IstioObject);
}

/** Istio's fault-injection task (bookinfo): ratings delayed 7 s for end-user jason, v1 for everyone. */
const ratingsDelay: IstioObject = {
  metadata: { name: 'ratings', namespace: 'bookinfo' },
  spec: {
    hosts: ['ratings'],
    http: [
      {
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        fault: { delay: { percentage: { value: 100.0 }, fixedDelay: '7s' } },
        route: [{ destination: { host: 'ratings', subset: 'v1' } }],
      },
      { route: [{ destination: { host: 'ratings', subset: 'v1' } }] },
    ],
  },
};

const reviewsRetries: IstioObject = {
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    hosts: ['reviews'],
    http: [
      {
        route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,connect-failure' },
        timeout: '10s',
        fault: { abort: { percentage: { value: 10 }, httpStatus: 503 } },
      },
    ],
  },
};

const reviewsRule: IstioObject = {
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    host: 'reviews.bookinfo.svc.cluster.local',
    trafficPolicy: {
      loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } },
      tls: { mode: 'ISTIO_MUTUAL' },
    },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      {
        name: 'v2',
        labels: { version: 'v2' },
        trafficPolicy: { connectionPool: { http: { maxRetries: 5 } } },
      },
    ],
  },
};

describe('istioPolicies', () => {
  it("maps the lab's circuit-breaking DestinationRule as istiod configures the cluster", () => {
    const [dr] = labObjects('http1MaxPendingRequests');
    const out = istioPolicies([], [{ ...dr!, metadata: { ...dr!.metadata, namespace: 'default' } }]);
    expect(out).toEqual([
      {
        host: 'httpbin.default.svc.cluster.local',
        policies: {
          sources: ['istio'],
          circuitBreaker: {
            thresholds: [{ priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 }],
            open: [],
            overflowRps: 0,
            retryOverflowRps: 0,
          },
          outlierDetection: {
            consecutive5xx: 1,
            intervalMs: 1000,
            baseEjectionTimeMs: 180_000,
            maxEjectionPercent: 100,
            ejectedHosts: 0,
          },
        },
      },
    ]);
  });

  it("maps the lab's mirror (100 % to subset v2) onto the primary destination", () => {
    const [vs] = labObjects('mirrorPercentage');
    const out = istioPolicies([{ ...vs!, metadata: { name: 'httpbin', namespace: 'default' } }], []);
    expect(out).toEqual([
      {
        host: 'httpbin.default.svc.cluster.local',
        subset: 'v1',
        policies: {
          sources: ['istio'],
          mirrors: [{ cluster: 'httpbin.default.svc.cluster.local (v2)', percent: 100 }],
        },
      },
    ]);
  });

  it('restricts a fault to its route’s header match, and maps retries, timeout and aborts', () => {
    const out = istioPolicies([ratingsDelay, reviewsRetries], []);
    const ratings = out.find((e) => e.host === 'ratings.bookinfo.svc.cluster.local');
    expect(ratings).toEqual({
      host: 'ratings.bookinfo.svc.cluster.local',
      subset: 'v1',
      policies: {
        sources: ['istio'],
        fault: {
          delay: { fixedDelayMs: 7000, percent: 100 },
          headers: ['end-user = jason'],
          abortsRps: 0,
          delaysRps: 0,
        },
      },
    });
    const reviews = out.find((e) => e.host === 'reviews.bookinfo.svc.cluster.local');
    expect(reviews?.policies).toMatchObject({
      retries: { retryOn: ['5xx', 'connect-failure'], numRetries: 3, perTryTimeoutMs: 2000, rps: 0 },
      timeout: { timeoutMs: 10_000, rps: 0 },
      fault: { abort: { httpStatus: 503, percent: 10 }, headers: [] },
    });
  });

  it("applies a rule's trafficPolicy to its subsets, a subset's own policy on top", () => {
    const out = istioPolicies([], [reviewsRule]);
    const host = out.find((e) => e.subset === undefined);
    expect(host?.policies).toEqual({
      sources: ['istio'],
      hash: { lbPolicy: 'RING_HASH', hashOn: ['header x-user'] },
      tls: { mutual: true },
    });
    const v2 = out.find((e) => e.subset === 'v2');
    expect(v2?.labels).toEqual({ version: 'v2' });
    expect(v2?.policies.circuitBreaker?.thresholds).toEqual([{ priority: 'DEFAULT', maxRetries: 5 }]);
    expect(v2?.policies.hash?.hashOn).toEqual(['header x-user']);
  });

  it('ignores objects without what it reads', () => {
    expect(istioPolicies([{ spec: null }, { metadata: {} }], [{ spec: { subsets: 'x' } }])).toEqual([]);
  });
});
