import { describe, expect, it } from 'vitest';
import { parseArgs, USAGE } from '../../../server/cli/parse-args.ts';
import { defaultAuditFile, defaultDataDir } from '../../../server/weights/weights-setup.ts';

describe('the weights options', () => {
  it('reads --token-file, --audit-file and --data-dir, in both forms', () => {
    const a = parseArgs([
      '--targets',
      't.yaml',
      '--token-file',
      '/run/tokens',
      '--audit-file=/var/a.jsonl',
      '--data-dir',
      '/d',
    ]);
    expect([a.tokenFile, a.auditFile, a.dataDir]).toEqual(['/run/tokens', '/var/a.jsonl', '/d']);
    expect(parseArgs([]).tokenFile).toBeUndefined();
    for (const flag of ['--token-file', '--audit-file', '--data-dir']) expect(USAGE).toContain(flag);
  });

  it('keeps state in $MESHSCOPE_DATA_DIR, else the XDG state dir, one audit log per mesh', () => {
    expect(defaultDataDir({ MESHSCOPE_DATA_DIR: '/srv/ms' })).toBe('/srv/ms');
    expect(defaultDataDir({ XDG_STATE_HOME: '/home/u/.state' })).toBe('/home/u/.state/meshscope');
    const a = defaultAuditFile('/d', 'targets:/a.yaml');
    expect(a).toMatch(/^\/d\/audit-[0-9a-f]{12}\.jsonl$/);
    expect(defaultAuditFile('/d', 'targets:/a.yaml')).toBe(a);
    expect(defaultAuditFile('/d', 'targets:/b.yaml')).not.toBe(a);
  });
});
