import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../../../proxy/admin/redact-secrets.ts';

describe('redactSecrets', () => {
  it('replaces every string under private_key, password and pkcs12, keeping the shape', () => {
    const doc = {
      static_resources: {
        listeners: [
          {
            filter_chains: [
              {
                transport_socket: {
                  typed_config: {
                    common_tls_context: {
                      tls_certificates: [
                        {
                          certificate_chain: { filename: '/certs/server.crt' },
                          private_key: { inline_string: '-----BEGIN PRIVATE KEY-----\nsecret' },
                          password: { filename: '/certs/pass' },
                        },
                      ],
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    };
    const out = redactSecrets(doc);
    const cert =
      out.static_resources.listeners[0]!.filter_chains[0]!.transport_socket.typed_config.common_tls_context
        .tls_certificates[0]!;
    expect(cert).toEqual({
      certificate_chain: { filename: '/certs/server.crt' },
      private_key: { inline_string: REDACTED },
      password: { filename: REDACTED },
    });
    expect(JSON.stringify(out)).not.toContain('secret');
    // The loaded document itself is untouched.
    expect(
      doc.static_resources.listeners[0]!.filter_chains[0]!.transport_socket.typed_config.common_tls_context
        .tls_certificates[0]!.private_key.inline_string,
    ).toContain('secret');
  });

  it('returns documents without secrets as they are', () => {
    const doc = {
      admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } },
      list: [1, 'a'],
    };
    expect(redactSecrets(doc)).toBe(doc);
  });
});
