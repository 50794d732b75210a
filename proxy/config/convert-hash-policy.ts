// RouteAction.hash_policy (schema output) → model HashPolicy[]: exactly one method per entry.

import { type FieldPath, fail } from './config-error.ts';
import type { HashPolicy } from './model.ts';
import type { HashPolicyInput } from './schema-hash-policy.ts';

export function convertHashPolicies(input: readonly HashPolicyInput[], path: FieldPath): HashPolicy[] {
  return input.flatMap((p, i): HashPolicy[] => {
    const at = [...path, i];
    const set = [p.header, p.cookie, p.connection_properties].filter((x) => x !== undefined).length;
    if (set !== 1) {
      fail(at, `must set exactly one of header, cookie, connection_properties; got ${set}`);
    }
    const terminal = p.terminal ?? false;
    if (p.header) return [{ kind: 'header', headerName: p.header.header_name.toLowerCase(), terminal }];
    if (p.cookie) return [{ kind: 'cookie', name: p.cookie.name, terminal }];
    // `source_ip: false` never yields a hash in Envoy: nothing to keep.
    return p.connection_properties?.source_ip === true ? [{ kind: 'sourceIp', terminal }] : [];
  });
}
