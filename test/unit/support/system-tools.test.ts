import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSearchPath, findTool } from '../../support/system-tools.ts';

describe('findTool', () => {
  let root: string;
  let first: string;
  let second: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'system-tools-'));
    first = join(root, 'first');
    second = join(root, 'second');
    mkdirSync(first);
    mkdirSync(second);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function writeProgram(directory: string, name: string, mode: number): string {
    const path = join(directory, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, mode);
    return path;
  }

  it('returns the absolute path of the first executable found, in search order', () => {
    writeProgram(first, 'wrk', 0o755);
    writeProgram(second, 'wrk', 0o755);
    expect(findTool('wrk', [first, second])).toBe(join(first, 'wrk'));
    expect(findTool('wrk', [second, first])).toBe(join(second, 'wrk'));
  });

  it('skips files that are not executable and directories that carry the name', () => {
    writeProgram(first, 'nginx', 0o644);
    mkdirSync(join(second, 'nginx'));
    const third = join(root, 'third');
    mkdirSync(third);
    const real = writeProgram(third, 'nginx', 0o755);
    expect(findTool('nginx', [first, second, third])).toBe(real);
  });

  it('says which Debian package to install, and that .ci/run installs it, when the tool is missing', () => {
    expect(() => findTool('nginx', [first])).toThrow('apt-get install -y nginx-light');
    expect(() => findTool('promtool', [first])).toThrow('apt-get install -y prometheus');
    expect(() => findTool('chromium', [first])).toThrow('bash .ci/run');
    expect(() => findTool('wrk', [first, second])).toThrow(`searched ${first}, ${second}`);
  });
});

describe('defaultSearchPath', () => {
  it('keeps PATH order, drops relative entries, and appends the system directories once', () => {
    expect(defaultSearchPath('/opt/tools/bin:relative/bin:/usr/bin')).toEqual([
      '/opt/tools/bin',
      '/usr/bin',
      '/usr/local/sbin',
      '/usr/local/bin',
      '/usr/sbin',
      '/sbin',
      '/bin',
    ]);
  });
});
