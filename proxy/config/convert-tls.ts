// TLS contexts (schema output) → model: PEM material read from files or taken inline, checked the way
// Envoy checks it when it builds the context (a certificate needs its key, the key must match it), so a
// wrong path or a mismatched key is a configuration error at its field, not a failed handshake later.

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { type FieldPath, fail } from './config-error.ts';
import type { Cluster, DownstreamTls } from './model.ts';
import type {
  CommonTlsContextInput,
  DownstreamTlsContextInput,
  PemSourceInput,
  UpstreamTlsContextInput,
} from './schema-tls.ts';

type CertificatePair = { certificateChain: string; privateKey: string };

/** The PEM text of a DataSource (exactly one of filename and inline_string). */
function readPem(source: PemSourceInput, path: FieldPath): string {
  if (source.filename !== undefined && source.inline_string !== undefined) {
    fail([...path, 'inline_string'], 'must not be set together with filename (set only one)');
  }
  if (source.inline_string !== undefined) return source.inline_string;
  if (source.filename === undefined) return fail(path, 'needs filename or inline_string');
  try {
    return readFileSync(source.filename, 'utf8');
  } catch (err) {
    return fail([...path, 'filename'], `is not readable: ${(err as Error).message}`);
  }
}

function convertCertificates(common: CommonTlsContextInput | undefined, path: FieldPath): CertificatePair[] {
  return (common?.tls_certificates ?? []).map((c, i) => {
    const at = [...path, 'common_tls_context', 'tls_certificates', i];
    if (c.certificate_chain === undefined) fail([...at, 'certificate_chain'], 'is required');
    if (c.private_key === undefined) fail([...at, 'private_key'], 'is required');
    const pair = {
      certificateChain: readPem(c.certificate_chain, [...at, 'certificate_chain']),
      privateKey: readPem(c.private_key, [...at, 'private_key']),
    };
    try {
      createSecureContext({ cert: pair.certificateChain, key: pair.privateKey });
    } catch (err) {
      fail(at, `is not a usable certificate and key: ${(err as Error).message}`);
    }
    return pair;
  });
}

/** UpstreamTlsContext → Cluster.tls: SNI, trusted CA, ALPN and the client certificate for mutual TLS. */
export function convertUpstreamTls(
  ctx: UpstreamTlsContextInput,
  path: FieldPath,
): NonNullable<Cluster['tls']> {
  const common = ctx.common_tls_context;
  const trusted = common?.validation_context?.trusted_ca;
  const trustedPath = [...path, 'common_tls_context', 'validation_context', 'trusted_ca'];
  const certificates = convertCertificates(common, path);
  // Envoy's client side uses one certificate; more only make sense for a server choosing by SNI.
  if (certificates.length > 1) {
    fail([...path, 'common_tls_context', 'tls_certificates'], 'must hold at most one certificate upstream');
  }
  const alpn = common?.alpn_protocols;
  return {
    ...(ctx.sni !== undefined && ctx.sni !== '' ? { sni: ctx.sni } : {}),
    ...(trusted?.filename !== undefined && trusted.inline_string === undefined
      ? { caFile: trusted.filename }
      : {}),
    ...(trusted?.inline_string !== undefined ? { caPem: readPem(trusted, trustedPath) } : {}),
    ...(alpn !== undefined && alpn.length > 0 ? { alpn } : {}),
    ...(certificates[0] !== undefined ? { clientCertificate: certificates[0] } : {}),
  };
}

/** DownstreamTlsContext → Listener.tls: the server certificate(s), the client CA and whether a client must present one. */
export function convertDownstreamTls(ctx: DownstreamTlsContextInput, path: FieldPath): DownstreamTls {
  const common = ctx.common_tls_context;
  const certificates = convertCertificates(common, path);
  // Envoy: "A server-side TLS context needs at least one certificate".
  if (certificates.length === 0) {
    fail([...path, 'common_tls_context', 'tls_certificates'], 'needs at least one certificate on a listener');
  }
  const trusted = common?.validation_context?.trusted_ca;
  const trustedCa =
    trusted === undefined
      ? undefined
      : readPem(trusted, [...path, 'common_tls_context', 'validation_context', 'trusted_ca']);
  const alpn = common?.alpn_protocols;
  return {
    certificates,
    ...(trustedCa !== undefined ? { trustedCa } : {}),
    requireClientCertificate: ctx.require_client_certificate ?? false,
    ...(alpn !== undefined && alpn.length > 0 ? { alpn } : {}),
  };
}
