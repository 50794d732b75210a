import { describe, expect, it } from 'vitest';
import { formatMs, formatPercent, formatRps, formatWindow } from '../../../client/src/graph/format.ts';

describe('graph figures', () => {
  it('shows rates with two, one or no decimals by size, deciding on the rounded value', () => {
    expect([0, 0.004, 0.25, 9.994, 9.999, 10, 42.04, 99.96, 1234.4].map(formatRps)).toEqual([
      '0 rps',
      '0.00 rps',
      '0.25 rps',
      '9.99 rps',
      '10.0 rps',
      '10.0 rps',
      '42.0 rps',
      '100 rps',
      '1234 rps',
    ]);
  });

  it('shows percentages, latencies and windows in their usual units', () => {
    expect([0, 0.005, 0.125, 0.8, 1].map(formatPercent)).toEqual(['0 %', '0.5 %', '13 %', '80 %', '100 %']);
    expect([0.45, 12.34, 250.4, 1500].map(formatMs)).toEqual(['0.5 ms', '12.3 ms', '250 ms', '1.50 s']);
    expect([10, 60, 300, 600, 1800, 3600, 7200].map(formatWindow)).toEqual([
      '10 s',
      '60 s',
      '5 min',
      '10 min',
      '30 min',
      '1 h',
      '2 h',
    ]);
  });
});
