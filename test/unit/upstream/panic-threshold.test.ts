// The runtime key `upstream.healthy_panic_threshold` over the clusters' configured thresholds, as
// Envoy's LoadBalancerBase reads it: min(100, getInteger(key, configured or 50)), on every balancer.
import { afterEach, describe, expect, it } from 'vitest';
import { LayeredRuntime } from '../../../proxy/runtime/layered-runtime.ts';
import { Counter } from '../../../proxy/stats/store.ts';
import { Host } from '../../../proxy/upstream/host.ts';
import { createLoadBalancer } from '../../../proxy/upstream/load-balancer.ts';
import {
  effectivePanicThreshold,
  isHostSetInPanic,
  PANIC_THRESHOLD_RUNTIME_KEY,
} from '../../../proxy/upstream/panic-threshold.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const runtimes: LayeredRuntime[] = [];

/** A runtime with only Envoy's admin layer, the one `POST /runtime_modify` writes. */
function adminRuntime(): LayeredRuntime {
  const rt = new LayeredRuntime([{ kind: 'admin', name: 'admin' }], { serviceCluster: 'test' });
  runtimes.push(rt);
  return rt;
}

afterEach(() => {
  for (const rt of runtimes.splice(0)) rt.close();
});

describe('effectivePanicThreshold', () => {
  it('is the configured threshold, or 50, without a runtime value', () => {
    expect(effectivePanicThreshold(undefined, undefined)).toBe(50);
    expect(effectivePanicThreshold(0, undefined)).toBe(0);
    expect(effectivePanicThreshold(80, adminRuntime())).toBe(80);
  });

  it('takes the runtime integer over the configured threshold, capped at 100 as Envoy does', () => {
    const rt = adminRuntime();
    rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: '0' });
    expect(effectivePanicThreshold(80, rt)).toBe(0);
    rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: '100' });
    expect(effectivePanicThreshold(undefined, rt)).toBe(100);
    rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: '250' });
    expect(effectivePanicThreshold(10, rt)).toBe(100);
    // Envoy's integer view of a double is its floor.
    rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: '37.9' });
    expect(effectivePanicThreshold(10, rt)).toBe(37);
  });

  it('falls back to the configured threshold for a value with no integer reading', () => {
    const rt = adminRuntime();
    for (const raw of ['-5', 'high', 'true']) {
      rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: raw });
      expect(effectivePanicThreshold(70, rt), raw).toBe(70);
      expect(effectivePanicThreshold(undefined, rt), raw).toBe(50);
    }
  });
});

describe('isHostSetInPanic', () => {
  it('panics strictly below the threshold, and on an empty set unless the threshold is 0', () => {
    expect(isHostSetInPanic(1, 2, 50)).toBe(false);
    expect(isHostSetInPanic(1, 2, 51)).toBe(true);
    expect(isHostSetInPanic(2, 2, 100)).toBe(false);
    expect(isHostSetInPanic(0, 0, 1)).toBe(true);
    expect(isHostSetInPanic(0, 0, 0)).toBe(false);
  });
});

describe('load balancers with a runtime', () => {
  /** Request hashes spread over the 64-bit space, for the hash balancers. */
  const spread = (i: number) => BigInt.asUintN(64, BigInt(i + 1) * 0x9e3779b97f4a7c15n);

  for (const policy of ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV'] as const) {
    it(`${policy}: reads the override on every pick, no rebuild or new hosts needed`, () => {
      const hs = [new Host('10.0.0.1', 80, '10.0.0.1', 1), new Host('10.0.0.2', 80, '10.0.0.2', 1)];
      hs[1]!.failedActiveHealthCheck = true;
      const rt = adminRuntime();
      const panic = new Counter('lb_healthy_panic');
      const lb = createLoadBalancer<Host>(policy, {
        random: seededRandom(7),
        healthyPanicThreshold: 0,
        runtime: rt,
        panicCounter: panic,
        ...(policy === 'MAGLEV' ? { tableSize: 251 } : {}),
      });
      lb.setHosts(hs);
      const picks = (n: number) =>
        new Set(Array.from({ length: n }, (_, i) => lb.chooseHost(spread(i))?.address));

      // Configured 0: never panics, so only the healthy host.
      expect(picks(32)).toEqual(new Set(['10.0.0.1']));
      expect(panic.value).toBe(0);

      // 1 of 2 healthy is below 100: panic over both hosts, every pick counted.
      rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: '100' });
      expect(picks(64)).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
      expect(panic.value).toBe(64);

      // An unreadable value leaves the configured 0 in force again.
      rt.modify({ [PANIC_THRESHOLD_RUNTIME_KEY]: 'lots' });
      expect(picks(32)).toEqual(new Set(['10.0.0.1']));
      expect(panic.value).toBe(64);
    });
  }
});
