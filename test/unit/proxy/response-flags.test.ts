// %RESPONSE_FLAGS% in Envoy's order whatever order the proxy sets them in.
import { describe, expect, it } from 'vitest';
import { addResponseFlag } from '../../../proxy/server/response-flags.ts';

describe('addResponseFlag', () => {
  it('joins flags in Envoy’s order, each once', () => {
    let f = '';
    f = addResponseFlag(f, 'URX');
    f = addResponseFlag(f, 'UF');
    expect(f).toBe('UF,URX');
    expect(addResponseFlag(f, 'UF')).toBe('UF,URX');
    expect(addResponseFlag('DC', 'UO')).toBe('UO,DC');
    expect(addResponseFlag('SI', 'UT')).toBe('UT,SI');
    expect(addResponseFlag('UO', '')).toBe('UO');
  });
});
