import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  authorizeWrite,
  isLoopbackAddress,
  isLoopbackHost,
  loadWriteTokens,
  parseTokenFile,
} from '../../../server/weights/write-auth.ts';

const local = { authorization: undefined, remoteAddress: '127.0.0.1', host: '127.0.0.1:20001' };

describe('writes without a configured token', () => {
  it('are accepted from loopback clients that asked for a loopback host, as `local`', () => {
    expect(authorizeWrite(local, [])).toEqual({ ok: true, who: 'local' });
    expect(authorizeWrite({ ...local, remoteAddress: '::ffff:127.0.0.1', host: 'localhost' }, [])).toEqual({
      ok: true,
      who: 'local',
    });
    expect(authorizeWrite({ ...local, remoteAddress: '::1', host: '[::1]:20001' }, []).ok).toBe(true);
  });

  it('are refused from other clients, and from a page whose DNS name points at loopback', () => {
    expect(authorizeWrite({ ...local, remoteAddress: '10.0.0.5' }, [])).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(authorizeWrite({ ...local, host: 'evil.example:20001' }, [])).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(authorizeWrite({ ...local, host: undefined }, [])).toMatchObject({ ok: false, status: 403 });
  });
});

describe('writes with tokens', () => {
  const tokens = [
    { subject: 'alice', token: 's3cret-alice' },
    { subject: 'token', token: 'shared-one' },
  ];
  it('need a bearer token (401 without, 403 when wrong), from anywhere, and name its subject', () => {
    expect(authorizeWrite(local, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authorizeWrite({ ...local, authorization: 'Basic abc' }, tokens)).toMatchObject({ status: 401 });
    expect(authorizeWrite({ ...local, authorization: 'Bearer nope' }, tokens)).toMatchObject({ status: 403 });
    expect(authorizeWrite({ ...local, authorization: 'Bearer s3cret-alice' }, tokens)).toEqual({
      ok: true,
      who: 'alice',
    });
    expect(
      authorizeWrite(
        { authorization: 'bearer shared-one', remoteAddress: '10.1.2.3', host: 'mesh.example' },
        tokens,
      ),
    ).toEqual({ ok: true, who: 'token' });
  });

  it('come from the token file, else MESHSCOPE_TOKEN', async () => {
    expect(parseTokenFile('# writers\nalice  abc\n\nxyz\n')).toEqual([
      { subject: 'alice', token: 'abc' },
      { subject: 'token', token: 'xyz' },
    ]);
    expect(() => parseTokenFile('a b c')).toThrow(/words/);
    const dir = await mkdtemp(join(tmpdir(), 'tokens-'));
    try {
      const file = join(dir, 'tokens');
      await writeFile(file, 'bob t0k\n');
      expect(await loadWriteTokens({ tokenFile: file, env: { MESHSCOPE_TOKEN: 'env' } })).toEqual([
        { subject: 'bob', token: 't0k' },
      ]);
      await writeFile(file, '# nothing\n');
      await expect(loadWriteTokens({ tokenFile: file, env: {} })).rejects.toThrow(/no token/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await loadWriteTokens({ tokenFile: undefined, env: { MESHSCOPE_TOKEN: ' env ' } })).toEqual([
      { subject: 'token', token: 'env' },
    ]);
    expect(await loadWriteTokens({ tokenFile: undefined, env: {} })).toEqual([]);
  });
});

it('knows loopback addresses and hosts', () => {
  expect(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.2'].every(isLoopbackAddress)).toBe(true);
  expect(['10.0.0.1', '::ffff:10.0.0.1', '', undefined].some(isLoopbackAddress)).toBe(false);
  expect(['localhost:80', 'LOCALHOST', '127.0.0.1', '[::1]:8080'].every(isLoopbackHost)).toBe(true);
  expect(['example.com', '127.0.0.1.nip.io', '[::2]:80'].some(isLoopbackHost)).toBe(false);
});
