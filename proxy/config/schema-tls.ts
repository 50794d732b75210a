// The TLS transport socket (envoy.transport_sockets.tls, envoy.extensions.transport_sockets.tls.v3):
// UpstreamTlsContext on clusters, DownstreamTlsContext on listener filter chains, and their shared
// CommonTlsContext (certificates, validation context, ALPN).

import { z } from 'zod';
import { envoyMessage, nonEmptyString, typedConfig } from './schema-common.ts';
import { TYPE_URL } from './type-urls.ts';

/** envoy.config.core.v3.DataSource for PEM material: a file or an inline string. */
export const pemSourceSchema = envoyMessage(
  { filename: nonEmptyString.optional(), inline_string: nonEmptyString.optional() },
  { notYet: ['inline_bytes', 'environment_variable', 'watched_directory'] },
);

/** envoy.extensions.transport_sockets.tls.v3.TlsCertificate: a PEM chain and its key. */
export const tlsCertificateSchema = envoyMessage(
  { certificate_chain: pemSourceSchema.optional(), private_key: pemSourceSchema.optional() },
  {
    notYet: [
      'pkcs12',
      'watched_directory',
      'private_key_provider',
      'password',
      'ocsp_staple',
      'signed_certificate_timestamp',
    ],
  },
);

export const certificateValidationContextSchema = envoyMessage(
  { trusted_ca: pemSourceSchema.optional() },
  {
    notYet: [
      'trust_chain_verification',
      'ca_certificate_provider_instance',
      'system_root_certs',
      'verify_certificate_spki',
      'verify_certificate_hash',
      'match_typed_subject_alt_names',
      'match_subject_alt_names',
      'require_signed_certificate_timestamp',
      'crl',
      'allow_expired_certificate',
      'custom_validator_config',
      'only_verify_leaf_cert_crl',
      'max_verify_depth',
    ],
    removed: { verify_subject_alt_name: 'use match_typed_subject_alt_names' },
  },
);

export const commonTlsContextSchema = envoyMessage(
  {
    tls_certificates: z.array(tlsCertificateSchema).optional(),
    validation_context: certificateValidationContextSchema.optional(),
    alpn_protocols: z.array(nonEmptyString).optional(),
  },
  {
    notYet: [
      'tls_params',
      'tls_certificate_sds_secret_configs',
      'tls_certificate_provider_instance',
      'custom_tls_certificate_selector',
      'tls_certificate_certificate_provider',
      'tls_certificate_certificate_provider_instance',
      'validation_context_sds_secret_config',
      'combined_validation_context',
      'validation_context_certificate_provider',
      'validation_context_certificate_provider_instance',
      'custom_handshaker',
      'key_log',
    ],
  },
);

export const upstreamTlsContextSchema = envoyMessage(
  {
    sni: z.string().max(255).optional(),
    common_tls_context: commonTlsContextSchema.optional(),
  },
  {
    notYet: [
      'allow_renegotiation',
      'max_session_keys',
      'enforce_rsa_key_usage',
      'auto_host_sni',
      'auto_sni_san_validation',
    ],
  },
);

export const downstreamTlsContextSchema = envoyMessage(
  {
    common_tls_context: commonTlsContextSchema.optional(),
    require_client_certificate: z.boolean().optional(),
  },
  {
    notYet: [
      'require_sni',
      'session_ticket_keys',
      'session_ticket_keys_sds_secret_config',
      'disable_stateless_session_resumption',
      'disable_stateful_session_resumption',
      'session_timeout',
      'ocsp_staple_policy',
      'full_scan_certs_on_sni_mismatch',
      'prefer_client_ciphers',
    ],
  },
);

/** A cluster's transport_socket. */
export const upstreamTransportSocketSchema = envoyMessage(
  {
    name: z.string().optional(),
    typed_config: typedConfig({ [TYPE_URL.upstreamTlsContext]: upstreamTlsContextSchema }),
  },
  { removed: { config: 'use typed_config' } },
);

/** A listener filter chain's transport_socket. */
export const downstreamTransportSocketSchema = envoyMessage(
  {
    name: z.string().optional(),
    typed_config: typedConfig({ [TYPE_URL.downstreamTlsContext]: downstreamTlsContextSchema }),
  },
  { removed: { config: 'use typed_config' } },
);

export type PemSourceInput = z.output<typeof pemSourceSchema>;
export type CommonTlsContextInput = z.output<typeof commonTlsContextSchema>;
export type UpstreamTlsContextInput = z.output<typeof upstreamTlsContextSchema>;
export type DownstreamTlsContextInput = z.output<typeof downstreamTlsContextSchema>;
