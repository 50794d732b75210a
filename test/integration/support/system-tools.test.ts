import { spawnSync } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTool, type SystemTool } from '../../support/system-tools.ts';

// Guards .ci/run: every tool the integration tests rely on is installed and actually runs.
const versionCommands: Record<SystemTool, { args: string[]; prints: RegExp }> = {
  nginx: { args: ['-v'], prints: /nginx version: nginx\/\d+\.\d+/ },
  wrk: { args: ['-v'], prints: /wrk \S*\d+\.\d+/ },
  chromium: { args: ['--version'], prints: /Chromium \d+\./ },
  prometheus: { args: ['--version'], prints: /prometheus, version \d+\.\d+/ },
  promtool: { args: ['--version'], prints: /promtool, version \d+\.\d+/ },
};

// Both streams: nginx prints its version to stderr, and `wrk -v` exits 1 after printing it.
function versionOutput(path: string, args: string[]): string {
  const run = spawnSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  return `${run.stdout}${run.stderr}`;
}

describe('system tools installed by .ci/run', () => {
  for (const [name, { args, prints }] of Object.entries(versionCommands) as [
    SystemTool,
    (typeof versionCommands)[SystemTool],
  ][]) {
    it(`${name} is found and runs`, () => {
      const path = findTool(name);
      expect(isAbsolute(path)).toBe(true);
      expect(versionOutput(path, args)).toMatch(prints);
    });
  }
});
