// The fault filter's decisions: header matching, percentages (with each denominator), runtime overrides.

import { describe, expect, it } from 'vitest';
import type { FractionalPercent } from '../../../proxy/config/model.ts';
import {
  downstreamServiceCluster,
  faultMatchesRequest,
  maxActiveFaults,
  percentEnabled,
  selectAbort,
  selectDelay,
} from '../../../proxy/filters/fault-decision.ts';
import { isHeadError, parseRequestHead, type RequestHead } from '../../../proxy/http/head-parser.ts';
import { faultConfig } from './fault-config-fixture.ts';

function request(headers: Record<string, string> = {}): RequestHead {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  const head = parseRequestHead(`GET /ratings HTTP/1.1\r\nhost: ratings\r\n${lines.join('')}\r\n`);
  if (isHeadError(head)) throw new Error(head.reason);
  return head;
}

function runtimeOf(values: Record<string, number> = {}) {
  return { getInteger: (key: string, fallback: number) => values[key] ?? fallback };
}

const percent = (numerator: number, denominator: FractionalPercent['denominator'] = 100) => ({
  numerator,
  denominator,
});

// The lab's VirtualService (ratings: 7 s delay, 100 %, for end-user: jason) as the filter's config.
const jasonDelay = faultConfig({
  delay: { fixedDelayMs: 7_000, percentage: percent(100) },
  headers: [{ name: 'end-user', match: { kind: 'exact', value: 'jason', ignoreCase: false }, invert: false }],
});

describe('headers', () => {
  it('applies the lab fault to jason only', () => {
    expect(faultMatchesRequest(jasonDelay, request({ 'end-user': 'jason' }))).toBe(true);
    expect(faultMatchesRequest(jasonDelay, request({ 'end-user': 'diego' }))).toBe(false);
    expect(faultMatchesRequest(jasonDelay, request())).toBe(false);
  });

  it('needs every matcher to match, and applies to every request without matchers', () => {
    const both = faultConfig({
      headers: [
        { name: 'end-user', match: { kind: 'exact', value: 'jason', ignoreCase: false }, invert: false },
        { name: 'x-canary', match: { kind: 'present', present: true }, invert: false },
      ],
    });
    expect(faultMatchesRequest(both, request({ 'end-user': 'jason' }))).toBe(false);
    expect(faultMatchesRequest(both, request({ 'end-user': 'jason', 'x-canary': '1' }))).toBe(true);
    expect(faultMatchesRequest(faultConfig(), request())).toBe(true);
  });
});

describe('downstream_nodes', () => {
  it('applies only to the listed callers (x-envoy-downstream-service-node)', () => {
    const nodes = faultConfig({ downstreamNodes: ['productpage-v1'] });
    expect(faultMatchesRequest(nodes, request({ 'x-envoy-downstream-service-node': 'productpage-v1' }))).toBe(
      true,
    );
    expect(faultMatchesRequest(nodes, request({ 'x-envoy-downstream-service-node': 'reviews-v2' }))).toBe(
      false,
    );
    expect(faultMatchesRequest(nodes, request())).toBe(false);
  });
});

describe('percentages', () => {
  const rt = runtimeOf();
  it('fires when the draw falls below numerator/denominator, for each denominator', () => {
    expect(percentEnabled(rt, 'k', percent(50), () => 0.49)).toBe(true);
    expect(percentEnabled(rt, 'k', percent(50), () => 0.5)).toBe(false);
    expect(percentEnabled(rt, 'k', percent(1, 10_000), () => 0.00009)).toBe(true);
    expect(percentEnabled(rt, 'k', percent(1, 10_000), () => 0.0001)).toBe(false);
    expect(percentEnabled(rt, 'k', percent(1, 1_000_000), () => 0.0000009)).toBe(true);
    expect(percentEnabled(rt, 'k', percent(1, 1_000_000), () => 0.000001)).toBe(false);
    expect(percentEnabled(rt, 'k', percent(0), () => 0)).toBe(false);
    expect(percentEnabled(rt, 'k', percent(100), () => 0.999999)).toBe(true);
  });

  it('takes a runtime integer as a percentage out of 100; above 100 always fires', () => {
    expect(percentEnabled(runtimeOf({ k: 0 }), 'k', percent(100), () => 0)).toBe(false);
    expect(percentEnabled(runtimeOf({ k: 30 }), 'k', percent(1, 1_000_000), () => 0.29)).toBe(true);
    expect(percentEnabled(runtimeOf({ k: 30 }), 'k', percent(1, 1_000_000), () => 0.3)).toBe(false);
    expect(percentEnabled(runtimeOf({ k: 101 }), 'k', percent(0), () => 0.99)).toBe(true);
  });

  it('injects about the configured share over many draws', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let fired = 0;
    for (let i = 0; i < 10_000; i++) if (percentEnabled(rt, 'k', percent(2_500, 10_000), random)) fired++;
    expect(fired).toBeGreaterThan(2_300);
    expect(fired).toBeLessThan(2_700);
  });
});

describe('delay and abort', () => {
  const env = (values: Record<string, number> = {}, draw = 0) => ({
    runtime: runtimeOf(values),
    random: () => draw,
  });
  const plain = request();

  it('delays by fixed_delay, or by the runtime duration; 0 ms means no delay', () => {
    expect(selectDelay(jasonDelay, env(), plain)).toBe(7_000);
    expect(selectDelay(jasonDelay, env({ 'fault.http.delay.fixed_duration_ms': 300 }), plain)).toBe(300);
    expect(selectDelay(jasonDelay, env({ 'fault.http.delay.fixed_duration_ms': 0 }), plain)).toBeUndefined();
    expect(
      selectDelay(jasonDelay, env({ 'fault.http.delay.fixed_delay_percent': 0 }), plain),
    ).toBeUndefined();
    expect(selectDelay(faultConfig(), env(), plain)).toBeUndefined();
  });

  it('aborts with http_status when selected, the runtime status overriding it', () => {
    const abort = faultConfig({ abort: { httpStatus: 503, percentage: percent(10) } });
    expect(selectAbort(abort, env({}, 0.05), plain)).toBe(503);
    expect(selectAbort(abort, env({}, 0.2), plain)).toBeUndefined();
    expect(selectAbort(abort, env({ 'fault.http.abort.http_status': 418 }, 0), plain)).toBe(418);
    expect(selectAbort(abort, env({ 'fault.http.abort.abort_percent': 100 }, 0.9), plain)).toBe(503);
  });

  it('honours the *_runtime key names and the downstream cluster keys', () => {
    const abort = faultConfig({ abort: { httpStatus: 503, percentage: percent(0) } });
    abort.runtimeKeys.abortPercent = 'my.abort';
    expect(selectAbort(abort, env({ 'my.abort': 100 }), plain)).toBe(503);
    expect(selectAbort(abort, env({ 'fault.http.abort.abort_percent': 100 }), plain)).toBeUndefined();
    // fault.http.<downstream-cluster>.abort.abort_percent enables it for that caller alone.
    const perCaller = env({ 'fault.http.productpage.abort.abort_percent': 100 });
    expect(selectAbort(abort, perCaller, plain, 'productpage')).toBe(503);
    expect(selectAbort(abort, perCaller, plain, 'reviews')).toBeUndefined();
  });

  it('takes header_delay / header_abort values and percentages from the request headers', () => {
    const byHeader = faultConfig({
      delay: { fromHeader: true, percentage: percent(50) },
      abort: { fromHeader: true, percentage: percent(100) },
    });
    const delayed = request({ 'x-envoy-fault-delay-request': '250' });
    expect(selectDelay(byHeader, env({}, 0.4), delayed)).toBe(250);
    expect(selectDelay(byHeader, env({}, 0.6), delayed)).toBeUndefined();
    expect(selectDelay(byHeader, env(), plain)).toBeUndefined();
    expect(selectDelay(byHeader, env(), request({ 'x-envoy-fault-delay-request': 'soon' }))).toBeUndefined();
    // The request's percentage counts, capped at the configured numerator (50 here).
    const tenPercent = request({
      'x-envoy-fault-delay-request': '250',
      'x-envoy-fault-delay-request-percentage': '10',
    });
    expect(selectDelay(byHeader, env({}, 0.09), tenPercent)).toBe(250);
    expect(selectDelay(byHeader, env({}, 0.11), tenPercent)).toBeUndefined();
    const capped = request({
      'x-envoy-fault-delay-request': '250',
      'x-envoy-fault-delay-request-percentage': '90',
    });
    expect(selectDelay(byHeader, env({}, 0.6), capped)).toBeUndefined();

    expect(selectAbort(byHeader, env(), request({ 'x-envoy-fault-abort-request': '429' }))).toBe(429);
    expect(selectAbort(byHeader, env(), request({ 'x-envoy-fault-abort-request': '199' }))).toBeUndefined();
    expect(selectAbort(byHeader, env(), request({ 'x-envoy-fault-abort-request': '600' }))).toBeUndefined();
    expect(selectAbort(byHeader, env(), plain)).toBeUndefined();
    const none = request({
      'x-envoy-fault-abort-request': '503',
      'x-envoy-fault-abort-request-percentage': '0',
    });
    expect(selectAbort(byHeader, env(), none)).toBeUndefined();
  });

  it('reads the downstream cluster from x-envoy-downstream-service-cluster', () => {
    expect(downstreamServiceCluster(request({ 'x-envoy-downstream-service-cluster': 'productpage' }))).toBe(
      'productpage',
    );
    expect(downstreamServiceCluster(request())).toBeUndefined();
  });

  it('limits active faults by max_active_faults or its runtime key, unlimited by default', () => {
    expect(maxActiveFaults(faultConfig(), runtimeOf())).toBe(Number.POSITIVE_INFINITY);
    expect(maxActiveFaults(faultConfig({ maxActiveFaults: 2 }), runtimeOf())).toBe(2);
    expect(
      maxActiveFaults(faultConfig({ maxActiveFaults: 2 }), runtimeOf({ 'fault.http.max_active_faults': 5 })),
    ).toBe(5);
  });
});
