// Where write tokens come from: --token-file, else MESHSCOPE_TOKEN, else one generated and kept 0600.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generatedToken,
  generateToken,
  parseTokenFile,
  resolveWriteTokens,
} from '../../../server/weights/write-tokens.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-tokens-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('parses token files: bare tokens, subjects, comments', () => {
  expect(parseTokenFile('# writers\nalice  abc\n\nxyz\n')).toEqual([
    { subject: 'alice', token: 'abc' },
    { subject: 'token', token: 'xyz' },
  ]);
  expect(() => parseTokenFile('a b c')).toThrow(/words/);
});

describe('resolveWriteTokens', () => {
  it('takes --token-file first, even with MESHSCOPE_TOKEN set, and generates nothing', async () => {
    const file = join(dir, 'tokens');
    const generatedFile = join(dir, 'state', 'write-token');
    await writeFile(file, 'bob t0k\n');
    expect(
      await resolveWriteTokens({ tokenFile: file, env: { MESHSCOPE_TOKEN: 'env' }, generatedFile }),
    ).toEqual({ source: 'file', file, tokens: [{ subject: 'bob', token: 't0k' }] });
    await writeFile(file, '# nothing\n');
    await expect(resolveWriteTokens({ tokenFile: file, env: {}, generatedFile })).rejects.toThrow(/no token/);
    await expect(stat(generatedFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes MESHSCOPE_TOKEN (trimmed) when there is no file, and generates nothing', async () => {
    const generatedFile = join(dir, 'write-token');
    expect(await resolveWriteTokens({ env: { MESHSCOPE_TOKEN: ' env \n' }, generatedFile })).toEqual({
      source: 'env',
      tokens: [{ subject: 'token', token: 'env' }],
    });
    await expect(stat(generatedFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('generates one otherwise (an empty MESHSCOPE_TOKEN is none), 0600, and keeps it across starts', async () => {
    const generatedFile = join(dir, 'state', 'write-token');
    const first = await resolveWriteTokens({ env: { MESHSCOPE_TOKEN: '  ' }, generatedFile });
    expect(first).toMatchObject({ source: 'generated', file: generatedFile, created: true });
    const token = first.tokens[0]!.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(generatedFile)).mode & 0o777).toBe(0o600);
    expect((await readFile(generatedFile, 'utf8')).trim()).toBe(token);
    const again = await resolveWriteTokens({ env: {}, generatedFile });
    expect(again).toMatchObject({
      source: 'generated',
      created: false,
      tokens: [{ subject: 'token', token }],
    });
  });
});

describe('generatedToken', () => {
  it('gives two dashboards starting together the same token', async () => {
    const file = join(dir, 'write-token');
    const [a, b, c] = await Promise.all([generatedToken(file), generatedToken(file), generatedToken(file)]);
    expect(new Set([a.token, b.token, c.token]).size).toBe(1);
    expect([a, b, c].filter((x) => x.created)).toHaveLength(1);
  });

  it('refuses a token file others may read, and one that holds no generated token', async () => {
    const file = join(dir, 'write-token');
    await writeFile(file, `${generateToken()}\n`, { mode: 0o600 });
    await chmod(file, 0o644);
    await expect(generatedToken(file)).rejects.toThrow(/readable by others.*644/);
    await chmod(file, 0o600);
    await writeFile(file, 'short\n');
    await expect(generatedToken(file)).rejects.toThrow(/not a token meshscope generated/);
  });

  it('makes a new token each time it generates', () => {
    expect(generateToken()).not.toBe(generateToken());
  });
});
