import { describe, expect, it } from 'vitest';
import { authorizeWrite } from '../../../server/weights/write-auth.ts';

const none = { authorization: undefined };

describe('authorizeWrite', () => {
  const tokens = [
    { subject: 'alice', token: 's3cret-alice' },
    { subject: 'token', token: 'shared-one' },
  ];

  it('refuses every write when no token is configured, whoever asks', () => {
    expect(authorizeWrite(none, [])).toMatchObject({ ok: false, status: 403 });
    expect(authorizeWrite({ authorization: 'Bearer anything' }, [])).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('answers 401 without an Authorization header or with a malformed one', () => {
    for (const authorization of [
      undefined,
      '',
      'Basic abc',
      'Bearer',
      'Bearer ',
      'Bearer a b',
      's3cret-alice',
      'Bearer: s3cret-alice',
    ]) {
      expect(authorizeWrite({ authorization }, tokens), String(authorization)).toMatchObject({
        ok: false,
        status: 401,
        code: 'unauthorized',
      });
    }
  });

  it('answers 403 for a wrong token, also a prefix or an extension of a right one', () => {
    for (const t of ['nope', 's3cret', 's3cret-alice2', 'S3CRET-ALICE']) {
      expect(authorizeWrite({ authorization: `Bearer ${t}` }, tokens)).toMatchObject({
        ok: false,
        status: 403,
        code: 'forbidden',
      });
    }
  });

  it('accepts a right token (scheme in any case) and names its subject', () => {
    expect(authorizeWrite({ authorization: 'Bearer s3cret-alice' }, tokens)).toEqual({
      ok: true,
      who: 'alice',
    });
    expect(authorizeWrite({ authorization: 'bearer shared-one ' }, tokens)).toEqual({
      ok: true,
      who: 'token',
    });
  });
});
