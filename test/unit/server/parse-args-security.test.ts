import { describe, expect, it } from 'vitest';
import { parseArgs, USAGE, UsageError } from '../../../server/cli/parse-args.ts';

describe('the write security options', () => {
  it('--read-only is off unless given', () => {
    expect(parseArgs([]).readOnly).toBe(false);
    expect(parseArgs(['--targets', 't.yaml', '--read-only']).readOnly).toBe(true);
    expect(USAGE).toContain('--read-only');
  });

  it('--write-rate N/S: N at once, N per S seconds; 10/10 by default', () => {
    expect(parseArgs([]).writeRate).toEqual({ burst: 10, perSecond: 1 });
    expect(parseArgs(['--write-rate', '30/60']).writeRate).toEqual({ burst: 30, perSecond: 0.5 });
    expect(parseArgs(['--write-rate=1000/1']).writeRate).toEqual({ burst: 1000, perSecond: 1000 });
    for (const bad of ['10', '0/10', '10/0', 'a/b', '10/-1', '-1/10', '10/10/10']) {
      expect(() => parseArgs(['--write-rate', bad]), bad).toThrow(UsageError);
    }
    expect(USAGE).toContain('--write-rate');
  });
});
