// request_mirror_policies' pure parts: the runtime_fraction draw (runtime key overriding the numerator
// over the default's denominator) and the -shadow Host (Envoy's shadowAppendHost).
import { describe, expect, it } from 'vitest';
import type { RequestMirrorPolicy } from '../../../proxy/config/model.ts';
import { shadowHead, shadowHost, shouldMirror } from '../../../proxy/server/request-mirror.ts';

const runtime = (values: Record<string, number>) => ({
  getInteger: (key: string, fallback: number) => values[key] ?? fallback,
});

function share(p: RequestMirrorPolicy, values: Record<string, number> = {}, draws = 10_000): number {
  let n = 0;
  for (let i = 0; i < draws; i++) if (shouldMirror(p, runtime(values), () => i / draws)) n++;
  return n / draws;
}

describe('shouldMirror', () => {
  it('mirrors everything without a runtime_fraction', () => {
    expect(share({ cluster: 's' })).toBe(1);
  });

  it('mirrors numerator / denominator of the requests', () => {
    expect(share({ cluster: 's', runtimeFraction: { numerator: 25, denominator: 100 } })).toBe(0.25);
    expect(share({ cluster: 's', runtimeFraction: { numerator: 5, denominator: 10_000 } })).toBe(0.0005);
    expect(share({ cluster: 's', runtimeFraction: { numerator: 0, denominator: 100 } })).toBe(0);
    expect(share({ cluster: 's', runtimeFraction: { numerator: 100, denominator: 100 } })).toBe(1);
  });

  it('the runtime key overrides the numerator, keeping the default denominator', () => {
    const p: RequestMirrorPolicy = {
      cluster: 's',
      runtimeFraction: { numerator: 100, denominator: 100, runtimeKey: 'mirror.pct' },
    };
    expect(share(p, { 'mirror.pct': 10 })).toBe(0.1);
    expect(share(p, { 'mirror.pct': 0 })).toBe(0);
    expect(share(p, {})).toBe(1);
  });
});

describe('shadowHost', () => {
  it.each([
    ['httpbin', 'httpbin-shadow'],
    ['httpbin:8000', 'httpbin-shadow:8000'],
    ['10.0.0.1:80', '10.0.0.1-shadow:80'],
    ['[::1]:8080', '[::1]-shadow:8080'],
    ['[::1]', '[::1]-shadow'],
  ])('%s → %s', (host, shadow) => {
    expect(shadowHost(host)).toBe(shadow);
  });
});

describe('shadowHead', () => {
  const head = 'GET / HTTP/1.1\r\nx-host: httpbin\r\nhost: httpbin\r\nx-request-id: 1\r\n\r\n';

  it('rewrites the host line only', () => {
    expect(shadowHead(head, 'httpbin', true)).toBe(
      'GET / HTTP/1.1\r\nx-host: httpbin\r\nhost: httpbin-shadow\r\nx-request-id: 1\r\n\r\n',
    );
  });

  it('leaves it alone with disable_shadow_host_suffix_append', () => {
    expect(shadowHead(head, 'httpbin', false)).toBe(head);
  });
});
