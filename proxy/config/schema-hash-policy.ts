// envoy.config.route.v3.RouteAction.HashPolicy: what a request is hashed on for RING_HASH / MAGLEV
// clusters. Header, cookie (an existing cookie: generating one with `ttl` is not supported) and the
// connection's source IP; `terminal` stops at the first policy that yields a hash.

import { z } from 'zod';
import { envoyMessage, nonEmptyString } from './schema-common.ts';

export const hashPolicySchema = envoyMessage(
  {
    header: envoyMessage({ header_name: nonEmptyString }, { notYet: ['regex_rewrite'] }).optional(),
    cookie: envoyMessage({ name: nonEmptyString }, { notYet: ['ttl', 'path', 'attributes'] }).optional(),
    connection_properties: envoyMessage({ source_ip: z.boolean().optional() }).optional(),
    terminal: z.boolean().optional(),
  },
  { notYet: ['query_parameter', 'filter_state'] },
);

export type HashPolicyInput = z.output<typeof hashPolicySchema>;
