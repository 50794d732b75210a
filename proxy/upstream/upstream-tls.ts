// The client side of an UpstreamTlsContext: what the connection pool hands to tls.connect. Envoy
// verifies the upstream's certificate only when a validation_context (trusted_ca) is configured, and
// offers its own certificate (mutual TLS) when common_tls_context.tls_certificates holds one.

import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Cluster } from '../config/model.ts';

export type UpstreamTls = NonNullable<Cluster['tls']>;

export function upstreamSecureContext(t: UpstreamTls): tls.SecureContext {
  const ca = t.caPem ?? (t.caFile !== undefined ? readFileSync(t.caFile) : undefined);
  const client = t.clientCertificate;
  return tls.createSecureContext({
    ...(ca !== undefined ? { ca } : {}),
    ...(client !== undefined ? { cert: client.certificateChain, key: client.privateKey } : {}),
  });
}

/** Whether the upstream certificate must chain to the configured CA. */
export function verifiesUpstream(t: UpstreamTls): boolean {
  return t.caFile !== undefined || t.caPem !== undefined;
}
