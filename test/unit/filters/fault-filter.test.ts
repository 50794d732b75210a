// A request's fault from selection to end: the delay holds it, the abort answers it, and Envoy's
// `http.<prefix>.fault.*` stats and DI/FI flags record what happened.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Route } from '../../../proxy/config/model.ts';
import { FAULT_ABORT_BODY, FaultFilter } from '../../../proxy/filters/fault-filter.ts';
import { isHeadError, parseRequestHead, type RequestHead } from '../../../proxy/http/head-parser.ts';
import type { LocalReply } from '../../../proxy/server/local-reply.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { faultConfig } from './fault-config-fixture.ts';

function request(headers: Record<string, string> = {}): RequestHead {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  const head = parseRequestHead(`GET / HTTP/1.1\r\nhost: x\r\n${lines.join('')}\r\n`);
  if (isHeadError(head)) throw new Error(head.reason);
  return head;
}

const runtime = { getInteger: (_key: string, fallback: number) => fallback };

const always = { numerator: 100, denominator: 100 } as const;

function callbacks() {
  const seen: { proceeded: number; aborts: LocalReply[] } = { proceeded: 0, aborts: [] };
  return {
    seen,
    cb: { proceed: () => seen.proceeded++, abort: (r: LocalReply) => seen.aborts.push(r) },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FaultFilter', () => {
  it('holds a delayed request for fixed_delay, counting delays_injected and active_faults', () => {
    const store = new StatsStore();
    const filter = new FaultFilter(
      faultConfig({ delay: { fixedDelayMs: 300, percentage: always } }),
      store,
      'ingress',
    );
    const run = filter.select(request(), undefined, runtime)!;
    const { seen, cb } = callbacks();
    run.run(cb);
    expect(store.counter('http.ingress.fault.delays_injected').value).toBe(1);
    expect(store.gauge('http.ingress.fault.active_faults').value).toBe(1);
    vi.advanceTimersByTime(299);
    expect(seen.proceeded).toBe(0);
    vi.advanceTimersByTime(1);
    expect(seen.proceeded).toBe(1);
    expect(run.responseFlags('')).toBe('DI');
    run.end();
    expect(store.gauge('http.ingress.fault.active_faults').value).toBe(0);
  });

  it('aborts with the configured status, flag FI and Envoy body, counting aborts_injected', () => {
    const store = new StatsStore();
    const filter = new FaultFilter(
      faultConfig({ abort: { httpStatus: 503, percentage: always } }),
      store,
      'ingress',
    );
    const run = filter.select(request(), undefined, runtime)!;
    const { seen, cb } = callbacks();
    run.run(cb);
    expect(seen.aborts).toEqual([
      { status: 503, body: FAULT_ABORT_BODY, flag: 'FI', details: 'fault_filter_abort' },
    ]);
    expect(seen.proceeded).toBe(0);
    expect(store.counter('http.ingress.fault.aborts_injected').value).toBe(1);
    expect(run.responseFlags('FI')).toBe('FI');
    run.end();
    expect(store.gauge('http.ingress.fault.active_faults').value).toBe(0);
  });

  it('delays then aborts (DI,FI) when both are configured', () => {
    const store = new StatsStore();
    const both = faultConfig({
      delay: { fixedDelayMs: 100, percentage: always },
      abort: { httpStatus: 500, percentage: always },
    });
    const run = new FaultFilter(both, store, 'p').select(request(), undefined, runtime)!;
    const { seen, cb } = callbacks();
    run.run(cb);
    expect(seen.aborts).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(seen.aborts.map((r) => r.status)).toEqual([500]);
    expect(run.responseFlags('FI')).toBe('DI,FI');
    // One active fault per request, however many faults it gets.
    expect(store.gauge('http.p.fault.active_faults').value).toBe(1);
  });

  it('selects nothing when the headers do not match', () => {
    const jason = faultConfig({
      delay: { fixedDelayMs: 100, percentage: always },
      headers: [
        { name: 'end-user', match: { kind: 'exact', value: 'jason', ignoreCase: false }, invert: false },
      ],
    });
    const filter = new FaultFilter(jason, new StatsStore(), 'p');
    expect(filter.select(request({ 'end-user': 'diego' }), undefined, runtime)).toBeUndefined();
    expect(filter.select(request({ 'end-user': 'jason' }), undefined, runtime)).toBeDefined();
  });

  it("uses a route's typed_per_filter_config instead of the filter's", () => {
    const filter = new FaultFilter(faultConfig({}), new StatsStore(), 'p');
    const route = {
      match: { caseSensitive: true, headers: [], queryParameters: [], prefix: '/' },
      action: { kind: 'direct', status: 200 },
      faultOverride: faultConfig({ abort: { httpStatus: 418, percentage: always } }),
    } satisfies Route;
    expect(filter.select(request(), undefined, runtime)).toBeUndefined();
    const { seen, cb } = callbacks();
    filter.select(request(), route, runtime)!.run(cb);
    expect(seen.aborts[0]?.status).toBe(418);
  });

  it('lets requests through past max_active_faults, counting faults_overflow', () => {
    const store = new StatsStore();
    const filter = new FaultFilter(
      faultConfig({ delay: { fixedDelayMs: 1_000, percentage: always }, maxActiveFaults: 1 }),
      store,
      'p',
    );
    const first = callbacks();
    filter.select(request(), undefined, runtime)!.run(first.cb);
    const second = callbacks();
    const run2 = filter.select(request(), undefined, runtime)!;
    run2.run(second.cb);
    expect(second.seen.proceeded).toBe(1);
    expect(run2.responseFlags('')).toBe('');
    expect(store.counter('http.p.fault.faults_overflow').value).toBe(1);
    expect(store.counter('http.p.fault.delays_injected').value).toBe(1);
  });

  it('counts per downstream cluster unless disable_downstream_cluster_stats', () => {
    const store = new StatsStore();
    const abort = faultConfig({ abort: { httpStatus: 503, percentage: always } });
    const req = request({ 'x-envoy-downstream-service-cluster': 'productpage' });
    new FaultFilter(abort, store, 'p').select(req, undefined, runtime)!.run(callbacks().cb);
    expect(store.counter('http.p.fault.productpage.aborts_injected').value).toBe(1);
    const quiet = new StatsStore();
    const filter = new FaultFilter({ ...abort, disableDownstreamClusterStats: true }, quiet, 'p');
    filter.select(req, undefined, runtime)!.run(callbacks().cb);
    expect(quiet.counter('http.p.fault.productpage.aborts_injected').value).toBe(0);
    expect(quiet.counter('http.p.fault.aborts_injected').value).toBe(1);
  });

  it('stops the delay when the request ends early (client gone)', () => {
    const store = new StatsStore();
    const run = new FaultFilter(
      faultConfig({ delay: { fixedDelayMs: 500, percentage: always } }),
      store,
      'p',
    ).select(request(), undefined, runtime)!;
    const { seen, cb } = callbacks();
    run.run(cb);
    run.end();
    vi.advanceTimersByTime(1_000);
    expect(seen.proceeded).toBe(0);
    expect(store.gauge('http.p.fault.active_faults').value).toBe(0);
  });

  it('merges DI/FI into other flags in Envoy order', () => {
    const run = new FaultFilter(
      faultConfig({ delay: { fixedDelayMs: 1, percentage: always } }),
      new StatsStore(),
      'p',
    ).select(request(), undefined, runtime)!;
    run.run(callbacks().cb);
    expect(run.responseFlags('UF')).toBe('UF,DI');
    expect(run.responseFlags('DC')).toBe('DI,DC');
    expect(run.responseFlags('-')).toBe('DI');
  });
});
