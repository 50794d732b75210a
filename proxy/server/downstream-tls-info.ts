// What the access log can say about a downstream TLS connection (Envoy's Ssl::ConnectionInfo): the
// client's certificate (URI SANs — the mesh identity, e.g. spiffe://… — subject, issuer, SHA-256
// fingerprint), our own certificate's URI SANs and subject, and the TLS version. Read from the socket
// on first use and kept for the connection.

import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { DownstreamTlsInfo } from '../access-log/access-log-entry.ts';

export type { DownstreamTlsInfo };

/** A certificate name as Envoy prints it (OpenSSL's RFC 2253 form): most specific first, `,`-joined. */
export function rfc2253(name: Record<string, string | string[]> | undefined): string | undefined {
  if (name === undefined) return undefined;
  const parts = Object.entries(name).map(([k, v]) =>
    Array.isArray(v) ? v.map((x) => `${k}=${x}`).join('+') : `${k}=${v}`,
  );
  return parts.length === 0 ? undefined : parts.reverse().join(',');
}

/** The `URI:` entries of a `subjectaltname` string (`DNS:a, URI:spiffe://x`), comma-joined as Envoy does. */
export function uriSans(subjectAltName: string | undefined): string | undefined {
  if (subjectAltName === undefined) return undefined;
  const uris = subjectAltName
    .split(', ')
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4));
  return uris.length === 0 ? undefined : uris.join(',');
}

function present(cert: PeerCertificate | object | null): PeerCertificate | undefined {
  return cert !== null && Object.keys(cert).length > 0 ? (cert as PeerCertificate) : undefined;
}

export function downstreamTlsInfo(socket: TLSSocket): DownstreamTlsInfo {
  const peer = present(socket.getPeerCertificate());
  const local = present(socket.getCertificate() ?? null);
  return {
    peerUriSan: uriSans(peer?.subjectaltname),
    peerSubject: rfc2253(peer?.subject as Record<string, string> | undefined),
    peerIssuer: rfc2253(peer?.issuer as Record<string, string> | undefined),
    // Envoy prints the SHA-256 fingerprint as lower-case hex without separators.
    peerFingerprint256: peer?.fingerprint256?.replace(/:/g, '').toLowerCase(),
    localUriSan: uriSans(local?.subjectaltname),
    localSubject: rfc2253(local?.subject as Record<string, string> | undefined),
    tlsVersion: socket.getProtocol() ?? undefined,
  };
}
