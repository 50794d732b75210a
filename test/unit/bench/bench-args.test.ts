import { describe, expect, it } from 'vitest';
import { defaultBenchArgs, parseBenchArgs } from '../../../bench/proxy/bench-args.ts';

describe('parseBenchArgs', () => {
  it('defaults to nginx against both meshscope targets, with the origin as a check', () => {
    expect(parseBenchArgs([])).toEqual(defaultBenchArgs);
    expect(defaultBenchArgs.targets).toEqual([
      'origin',
      'nginx',
      'meshscope',
      'meshscope-log',
      'meshscope-policies',
    ]);
  });

  it('reads every option and removes repeated targets', () => {
    expect(
      parseBenchArgs([
        '--rounds',
        '3',
        '--duration',
        '5',
        '--warmup',
        '0',
        '--targets',
        'nginx,nodehttp,nginx',
      ]),
    ).toEqual({ rounds: 3, durationS: 5, warmupS: 0, targets: ['nginx', 'nodehttp'] });
  });

  it('rejects unknown targets and flags, and malformed numbers', () => {
    expect(() => parseBenchArgs(['--targets', 'nginx,envoy'])).toThrow('unknown target "envoy"');
    expect(() => parseBenchArgs(['--targets', ''])).toThrow('at least one target');
    expect(() => parseBenchArgs(['--rounds', '1.5'])).toThrow('positive integer');
    expect(() => parseBenchArgs(['--duration', '0'])).toThrow('positive integer');
    expect(() => parseBenchArgs(['--duration'])).toThrow('got nothing');
    expect(() => parseBenchArgs(['--fast'])).toThrow('unknown argument "--fast"');
  });
});
