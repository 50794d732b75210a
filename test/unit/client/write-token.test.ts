import { describe, expect, it } from 'vitest';
import { authHeaders, splitTokenHash } from '../../../client/src/api/write-token.ts';

describe('splitTokenHash', () => {
  it('takes the token meshscope prints in the URL and leaves the page its own hash', () => {
    expect(splitTokenHash('#token=abc_DEF-123')).toEqual({ token: 'abc_DEF-123', hash: '' });
    expect(splitTokenHash('#token=abc&/routes')).toEqual({ token: 'abc', hash: '#/routes' });
    expect(splitTokenHash('#token=a%2Bb&#/graph?graphType=app')).toEqual({
      token: 'a+b',
      hash: '#/graph?graphType=app',
    });
  });

  it('leaves other hashes alone, and drops an empty or undecodable token from the URL all the same', () => {
    for (const hash of ['', '#/graph', '#/graph?token=x', '#tokens=x']) {
      expect(splitTokenHash(hash)).toEqual({ token: undefined, hash });
    }
    expect(splitTokenHash('#token=')).toEqual({ token: undefined, hash: '' });
    expect(splitTokenHash('#token=%E0%A4%A')).toEqual({ token: undefined, hash: '' });
  });
});

it('sends the token as a bearer Authorization header, and nothing without one', () => {
  expect(authHeaders('t0k')).toEqual({ authorization: 'Bearer t0k' });
  expect(authHeaders('')).toEqual({});
});
