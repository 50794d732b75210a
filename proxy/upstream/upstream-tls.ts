// The client side of an UpstreamTlsContext: what the connection pool hands to tls.connect. Envoy
// verifies the upstream's certificate only when a validation_context (trusted_ca) is configured, and
// offers its own certificate (mutual TLS) when common_tls_context.tls_certificates holds one.

import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Cluster } from '../config/model.ts';
import type { Counter } from '../stats/store.ts';

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

/**
 * Node checks the upstream certificate's names against the SNI (or the IP); Envoy does not — it checks
 * only the chain against trusted_ca, and names only when match_typed_subject_alt_names is set (not
 * supported here). So the name check is skipped.
 */
export function skipServerIdentity(): undefined {
  return undefined;
}

/** Envoy's `cluster.<name>.ssl.*` counters for the TLS handshakes with upstream hosts. */
export interface UpstreamSslStats {
  handshake: Counter;
  connectionError: Counter;
  failVerifyError: Counter;
}

// OpenSSL's X509_V_ERR_* names, as Node reports them on a connection whose certificate failed verification.
const VERIFY_ERROR = /CERT|ISSUER|SIGNATURE|VERIFY|SELF_SIGNED|CRL|UNTRUSTED|REJECTED/;

/** Counts one upstream TLS connection's handshake outcome. */
export function countUpstreamHandshake(socket: tls.TLSSocket, ssl: UpstreamSslStats): void {
  // Only failures after the TCP connection is up are TLS failures (a refused connection is not).
  let tcpUp = false;
  socket.once('connect', () => {
    tcpUp = true;
  });
  const onError = (err: NodeJS.ErrnoException) => {
    if (!tcpUp) return;
    ssl.connectionError.inc();
    if (err.code !== undefined && VERIFY_ERROR.test(err.code)) ssl.failVerifyError.inc();
  };
  socket.once('error', onError);
  socket.once('secureConnect', () => {
    socket.off('error', onError);
    ssl.handshake.inc();
  });
}
