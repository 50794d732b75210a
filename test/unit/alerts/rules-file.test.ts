import { describe, expect, it } from 'vitest';
import {
  defaultRuleSet,
  parseDuration,
  parseRulesFile,
  RulesFileError,
  settingsFor,
} from '../../../server/alerts/rules-file.ts';

function problems(text: string): string[] {
  try {
    parseRulesFile(text, 'rules.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(RulesFileError);
    expect((e as Error).message).toContain('rules.yaml: invalid alert rules');
    return (e as RulesFileError).problems;
  }
  throw new Error('expected the file to be refused');
}

describe('alert rules file', () => {
  it('has the issue’s defaults: 503 ratio above 1% for 1m, 5xx above 5%, scrape failing for 30s', () => {
    const d = defaultRuleSet();
    expect(d.rules.edge503Ratio).toMatchObject({ enabled: true, threshold: 0.01, for: 60 });
    expect(d.rules.edge503Ratio.minRequests).toBeGreaterThan(0);
    expect(d.rules.edge5xxRatio).toMatchObject({ threshold: 0.05 });
    expect(d.rules.sidecarScrapeFailing).toMatchObject({ for: 30 });
    expect(d.rules.weightShareDrift).toMatchObject({ threshold: 0.999 });
  });

  it('an empty file is the defaults', () => {
    expect(parseRulesFile('')).toEqual(defaultRuleSet());
    expect(parseRulesFile('# nothing\n')).toEqual(defaultRuleSet());
  });

  it('changes global settings and keeps the others', () => {
    const set = parseRulesFile(
      'rules:\n  edge503Ratio: { threshold: 0.02, for: 1m30s, severity: warning }\n  trafficStopped: { enabled: false }\n',
    );
    expect(set.rules.edge503Ratio).toEqual({
      enabled: true,
      severity: 'warning',
      for: 90,
      threshold: 0.02,
      minRequests: defaultRuleSet().rules.edge503Ratio.minRequests,
    });
    expect(set.rules.trafficStopped.enabled).toBe(false);
    expect(set.rules.edge5xxRatio).toEqual(defaultRuleSet().rules.edge5xxRatio);
  });

  it('applies per-namespace overrides over the global settings in that namespace only', () => {
    const set = parseRulesFile(
      'rules:\n  edge503Ratio: { for: 30s }\nnamespaces:\n  payments:\n    edge503Ratio: { threshold: 0.001 }\n    trafficStopped: { enabled: false }\n',
    );
    expect(settingsFor(set, 'edge503Ratio', 'payments')).toMatchObject({ threshold: 0.001, for: 30 });
    expect(settingsFor(set, 'edge503Ratio', 'default')).toMatchObject({ threshold: 0.01, for: 30 });
    expect(settingsFor(set, 'trafficStopped', 'payments').enabled).toBe(false);
    expect(settingsFor(set, 'trafficStopped', 'default').enabled).toBe(true);
  });

  it('lists every problem with the path of the field at fault', () => {
    const p = problems(
      [
        'rules:',
        '  edge503Ratio: { threshold: 1.5, for: soon, severity: page }',
        '  edge404Ratio: { threshold: 0.1 }',
        '  edge5xxRatio: { minRequests: -1, color: red }',
        'namespaces:',
        '  Payments_NS:',
        '    edge503Ratio: {}',
        '  shop:',
        '    sidecarScrapeFailing: { enabled: maybe }',
        'alerting: true',
      ].join('\n'),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^rules\.edge503Ratio\.threshold: expected a ratio of requests, 0\.\.1 within \[0, 1\], got 1\.5$/,
        ),
        expect.stringMatching(/^rules\.edge503Ratio\.for: expected a duration such as 30s/),
        expect.stringMatching(
          /^rules\.edge503Ratio\.severity: expected one of critical, warning, info, got "page"$/,
        ),
        expect.stringMatching(/^rules\.edge404Ratio: unknown rule \(known: edge503Ratio, /),
        expect.stringMatching(/^rules\.edge5xxRatio\.minRequests: expected a whole number/),
        expect.stringMatching(/^rules\.edge5xxRatio\.color: unknown setting/),
        'namespaces.Payments_NS: not a Kubernetes namespace name',
        'namespaces.shop.sidecarScrapeFailing.enabled: expected true or false, got "maybe"',
        'alerting: unknown key (expected rules or namespaces)',
      ]),
    );
    expect(p).toHaveLength(9);
  });

  it('refuses YAML that does not parse, and a top level that is not a mapping', () => {
    expect(problems('rules: [\n')[0]).toMatch(/flow sequence|Missing|Unexpected|end/i);
    expect(problems('rules:\n  edge503Ratio: {}\n  edge503Ratio: {}\n')[0]).toMatch(/unique|duplicate/i);
    expect(problems('- a\n- b\n')).toEqual([
      '(top level): expected a mapping with `rules` and/or `namespaces`',
    ]);
    expect(problems('rules: 3\n')).toEqual(['rules: expected a mapping of rule names to settings']);
  });

  it('reads Prometheus-style durations and plain seconds', () => {
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration('2m')).toBe(120);
    expect(parseDuration('1h1m1s')).toBe(3661);
    expect(parseDuration(15)).toBe(15);
    for (const bad of ['', '5', '1d', '-1s', '1.5m', 'm', -3, null])
      expect(parseDuration(bad)).toBeUndefined();
  });
});
