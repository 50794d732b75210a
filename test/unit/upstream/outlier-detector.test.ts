import { describe, expect, it } from 'vitest';
import type { OutlierDetection } from '../../../proxy/config/model.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { Host } from '../../../proxy/upstream/host.ts';
import { OutlierDetector, OutlierStats } from '../../../proxy/upstream/outlier-detector.ts';

// Envoy's defaults, except where a test says otherwise.
const DEFAULTS: OutlierDetection = {
  consecutive5xx: 5,
  consecutiveGatewayFailure: 5,
  intervalMs: 10_000,
  baseEjectionTimeMs: 30_000,
  maxEjectionTimeMs: 300_000,
  maxEjectionPercent: 10,
  enforcingConsecutive5xx: 100,
  enforcingConsecutiveGatewayFailure: 0,
  successfulActiveHealthCheckUnejectHost: true,
};

function setup(n: number, cfg: Partial<OutlierDetection> = {}) {
  const store = new StatsStore();
  let now = 0;
  const changes: Host[] = [];
  const hosts = Array.from({ length: n }, (_, i) => new Host(`10.0.0.${i + 1}`, 80, `10.0.0.${i + 1}`, 1));
  const od = new OutlierDetector(
    { ...DEFAULTS, ...cfg },
    {
      stats: new OutlierStats(store, 'web'),
      now: () => now,
      random: () => 0.5,
      onHealthChange: (h) => changes.push(h as Host),
    },
  );
  od.setHosts(hosts);
  const stat = (name: string) =>
    store.counters.get(`cluster.web.outlier_detection.${name}`)?.value ??
    store.gauges.get(`cluster.web.outlier_detection.${name}`)?.value;
  const send = (h: Host, ...codes: number[]) => {
    for (const c of codes) h.outlier.putHttpResponseCode(c);
  };
  return {
    hosts,
    od,
    stat,
    send,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('consecutive 5xx', () => {
  it('ejects a host at exactly consecutive_5xx errors, with Envoy stat names', () => {
    const { hosts, stat, send, changes } = setup(10);
    const h = hosts[0]!;
    send(h, 500, 500, 500, 500);
    expect(h.failedOutlierCheck).toBe(false);
    send(h, 500);
    expect(h.failedOutlierCheck).toBe(true);
    expect(h.healthy).toBe(false);
    expect(changes).toEqual([h]);
    expect(stat('ejections_active')).toBe(1);
    expect(stat('ejections_enforced_total')).toBe(1);
    expect(stat('ejections_enforced_consecutive_5xx')).toBe(1);
    expect(stat('ejections_detected_consecutive_5xx')).toBe(1);
    expect(stat('ejections_total')).toBe(1);
    expect(stat('ejections_overflow')).toBe(0);
    // Every stat Envoy creates with the detector exists from the start.
    expect(stat('ejections_detected_success_rate')).toBe(0);
  });

  it('a success in between starts the count again', () => {
    const { hosts, send } = setup(10);
    const h = hosts[0]!;
    send(h, 503, 500, 502, 500, 200, 500, 500, 500, 500);
    expect(h.failedOutlierCheck).toBe(false);
    send(h, 500);
    expect(h.failedOutlierCheck).toBe(true);
  });

  it('gateway failures are detected but, by Envoy default (enforcing 0), not enforced', () => {
    const { hosts, stat, send } = setup(10, { consecutive5xx: 100 });
    const h = hosts[0]!;
    send(h, 503, 502, 504, 503, 503);
    expect(stat('ejections_detected_consecutive_gateway_failure')).toBe(1);
    expect(stat('ejections_enforced_consecutive_gateway_failure')).toBe(0);
    expect(h.failedOutlierCheck).toBe(false);
  });

  it('gateway failures eject when enforcing_consecutive_gateway_failure is 100; a 500 resets that count', () => {
    const { hosts, stat, send } = setup(10, {
      consecutive5xx: 100,
      consecutiveGatewayFailure: 3,
      enforcingConsecutiveGatewayFailure: 100,
    });
    const h = hosts[0]!;
    send(h, 503, 503, 500, 503, 503);
    expect(h.failedOutlierCheck).toBe(false);
    send(h, 504);
    expect(h.failedOutlierCheck).toBe(true);
    expect(stat('ejections_enforced_consecutive_gateway_failure')).toBe(1);
    expect(stat('ejections_enforced_consecutive_5xx')).toBe(0);
  });

  it('enforcing_consecutive_5xx 0 detects without ejecting', () => {
    const { hosts, stat, send } = setup(10, { enforcingConsecutive5xx: 0 });
    send(hosts[0]!, 500, 500, 500, 500, 500);
    expect(hosts[0]!.failedOutlierCheck).toBe(false);
    expect(stat('ejections_detected_consecutive_5xx')).toBe(1);
    expect(stat('ejections_enforced_total')).toBe(0);
    expect(stat('ejections_active')).toBe(0);
  });
});

describe('max_ejection_percent', () => {
  it('always allows one ejection, then overflows once the ejected share reaches the limit', () => {
    const { hosts, stat, send } = setup(2); // default 10 %: the first host is 0 % < 10 %
    send(hosts[0]!, 500, 500, 500, 500, 500);
    send(hosts[1]!, 500, 500, 500, 500, 500);
    expect(hosts[0]!.failedOutlierCheck).toBe(true);
    expect(hosts[1]!.failedOutlierCheck).toBe(false);
    expect(stat('ejections_overflow')).toBe(1);
    expect(stat('ejections_active')).toBe(1);
  });

  it('100 lets every host be ejected', () => {
    const { hosts, stat, send } = setup(3, { maxEjectionPercent: 100, consecutive5xx: 1 });
    for (const h of hosts) send(h, 500);
    expect(hosts.every((h) => h.failedOutlierCheck)).toBe(true);
    expect(stat('ejections_active')).toBe(3);
  });
});

describe('un-ejection', () => {
  it('brings a host back at the first sweep after base_ejection_time', () => {
    const { hosts, od, stat, send, advance, changes } = setup(10, { baseEjectionTimeMs: 1000 });
    const h = hosts[0]!;
    send(h, 500, 500, 500, 500, 500);
    advance(999);
    od.sweep();
    expect(h.failedOutlierCheck).toBe(true);
    advance(1);
    od.sweep();
    expect(h.failedOutlierCheck).toBe(false);
    expect(stat('ejections_active')).toBe(0);
    expect(changes).toEqual([h, h]);
    // The counts start afresh: four more errors do not eject.
    send(h, 500, 500, 500, 500);
    expect(h.failedOutlierCheck).toBe(false);
  });

  it('ejection time grows with each ejection in a row (base × times), capped by max_ejection_time', () => {
    const { hosts, od, send, advance } = setup(10, {
      baseEjectionTimeMs: 1000,
      maxEjectionTimeMs: 2500,
      consecutive5xx: 1,
    });
    const h = hosts[0]!;
    const ejectedFor = () => {
      send(h, 500);
      expect(h.failedOutlierCheck).toBe(true);
      let t = 0;
      while (h.failedOutlierCheck) {
        advance(100);
        t += 100;
        od.sweep();
      }
      return t;
    };
    expect(ejectedFor()).toBe(1000);
    expect(ejectedFor()).toBe(2000);
    expect(ejectedFor()).toBe(2500); // 3 × 1000 capped at 2500
    expect(od.monitorOf(h)?.numEjections).toBe(3);
  });

  it('the back-off decays by one per sweep spent healthy', () => {
    const { hosts, od, send, advance } = setup(10, { baseEjectionTimeMs: 1000, consecutive5xx: 1 });
    const h = hosts[0]!;
    send(h, 500);
    advance(1000);
    od.sweep(); // back, backoff still 1
    send(h, 500); // backoff 2: 2 s
    expect(od.monitorOf(h)?.backoff).toBe(2);
    advance(2000);
    od.sweep();
    expect(h.failedOutlierCheck).toBe(false);
    od.sweep();
    od.sweep();
    expect(od.monitorOf(h)?.backoff).toBe(0);
    send(h, 500);
    advance(1000);
    od.sweep();
    expect(h.failedOutlierCheck).toBe(false);
  });

  it('a passing active health check un-ejects at once, unless successful_active_health_check_uneject_host is false', () => {
    const on = setup(3, { maxEjectionPercent: 100, consecutive5xx: 1 });
    on.send(on.hosts[0]!, 500);
    on.od.activeHealthCheckPassed(on.hosts[0]!);
    expect(on.hosts[0]!.failedOutlierCheck).toBe(false);
    expect(on.stat('ejections_active')).toBe(0);
    const off = setup(3, {
      maxEjectionPercent: 100,
      consecutive5xx: 1,
      successfulActiveHealthCheckUnejectHost: false,
    });
    off.send(off.hosts[0]!, 500);
    off.od.activeHealthCheckPassed(off.hosts[0]!);
    expect(off.hosts[0]!.failedOutlierCheck).toBe(true);
  });

  it('a removed host drops out of ejections_active and loses its monitor', () => {
    const { hosts, od, stat, send } = setup(3, { maxEjectionPercent: 100, consecutive5xx: 1 });
    send(hosts[0]!, 500);
    expect(stat('ejections_active')).toBe(1);
    od.setHosts(hosts.slice(1));
    expect(stat('ejections_active')).toBe(0);
    expect(od.monitorOf(hosts[0]!)).toBeUndefined();
    send(hosts[0]!, 500, 500); // reports after removal go nowhere
    expect(stat('ejections_detected_consecutive_5xx')).toBe(1);
  });
});
