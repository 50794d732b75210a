// TLS in the bootstrap: a listener's DownstreamTlsContext and a cluster's client certificate, with the
// PEM material read and checked at load; the v2 `tls_context` (the sidecar lab's mTLS snippet) refused
// the way Envoy v3 refuses it, pointing at transport_socket.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, makeTestPki, type TestPki } from '../../support/test-certs.ts';
import { type Doc, load, loadError, minimalDoc } from './bootstrap-fixture.ts';

const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const CHAIN = 'static_resources.listeners[0].filter_chains[0]';
const CONTEXT = `${CHAIN}.transport_socket.typed_config.common_tls_context`;

let pki: TestPki;
beforeAll(() => {
  if (hasOpenssl) pki = makeTestPki();
});
afterAll(() => pki?.remove());

function withListenerTls(context: Record<string, unknown>): Doc {
  const doc = minimalDoc();
  doc.static_resources.listeners[0].filter_chains[0].transport_socket = {
    name: 'envoy.transport_sockets.tls',
    typed_config: { '@type': DOWNSTREAM_TLS, ...context },
  };
  return doc;
}

describe.skipIf(!hasOpenssl)('downstream TLS', () => {
  it('reads certificates from files or inline, the trusted CA and require_client_certificate', () => {
    const doc = withListenerTls({
      require_client_certificate: true,
      common_tls_context: {
        tls_certificates: [
          {
            certificate_chain: { filename: pki.server.certFile },
            private_key: { inline_string: pki.server.key },
          },
        ],
        validation_context: { trusted_ca: { filename: pki.caFile } },
        alpn_protocols: ['http/1.1'],
      },
    });
    expect(load(doc).listeners[0]!.tls).toEqual({
      certificates: [{ certificateChain: pki.server.cert, privateKey: pki.server.key }],
      trustedCa: pki.ca,
      requireClientCertificate: true,
      alpn: ['http/1.1'],
    });
  });

  it('leaves a listener without transport_socket plain, and defaults require_client_certificate to false', () => {
    expect(load(minimalDoc()).listeners[0]!.tls).toBeUndefined();
    const doc = withListenerTls({
      common_tls_context: {
        tls_certificates: [
          {
            certificate_chain: { filename: pki.server.certFile },
            private_key: { filename: pki.server.keyFile },
          },
        ],
      },
    });
    expect(load(doc).listeners[0]!.tls?.requireClientCertificate).toBe(false);
  });

  it('needs a certificate, its key, a readable file and a key that matches', () => {
    expect(loadError(withListenerTls({})).message).toContain(
      `${CONTEXT}.tls_certificates needs at least one certificate on a listener`,
    );
    const noKey = withListenerTls({
      common_tls_context: { tls_certificates: [{ certificate_chain: { filename: pki.server.certFile } }] },
    });
    expect(loadError(noKey).message).toContain(`${CONTEXT}.tls_certificates[0].private_key is required`);
    const missing = withListenerTls({
      common_tls_context: {
        tls_certificates: [
          {
            certificate_chain: { filename: '/nonexistent/cert.pem' },
            private_key: { filename: pki.server.keyFile },
          },
        ],
      },
    });
    expect(loadError(missing).message).toContain(
      `${CONTEXT}.tls_certificates[0].certificate_chain.filename is not readable`,
    );
    const mismatched = withListenerTls({
      common_tls_context: {
        tls_certificates: [
          {
            certificate_chain: { filename: pki.server.certFile },
            private_key: { filename: pki.client.keyFile },
          },
        ],
      },
    });
    expect(loadError(mismatched).message).toContain(
      `${CONTEXT}.tls_certificates[0] is not a usable certificate and key: `,
    );
  });

  it("refuses the v2 tls_context of the lab's mTLS challenge, naming transport_socket", () => {
    const doc = minimalDoc();
    doc.static_resources.listeners[0].filter_chains[0].tls_context = {
      common_tls_context: { validation_context: { trusted_ca: { filename: '/certs/ca.crt' } } },
    };
    const err = loadError(doc);
    expect(err.path).toBe(`${CHAIN}.tls_context`);
    expect(err.message).toContain("was removed in Envoy's v3 API; use transport_socket");
    expect(err.message).toContain(DOWNSTREAM_TLS);
    const onCluster = minimalDoc();
    onCluster.static_resources.clusters[0].tls_context = {
      common_tls_context: { validation_context: { trusted_ca: { filename: '/certs/ca.crt' } } },
    };
    expect(loadError(onCluster).message).toContain(UPSTREAM_TLS);
  });
});

describe.skipIf(!hasOpenssl)('upstream client certificate', () => {
  function withClusterTls(common: Record<string, unknown>): Doc {
    const doc = minimalDoc();
    doc.static_resources.clusters[0].transport_socket = {
      name: 'envoy.transport_sockets.tls',
      typed_config: { '@type': UPSTREAM_TLS, sni: 'backend.mesh.local', common_tls_context: common },
    };
    return doc;
  }

  it('reads the client certificate and an inline trusted CA', () => {
    const doc = withClusterTls({
      tls_certificates: [
        {
          certificate_chain: { filename: pki.client.certFile },
          private_key: { filename: pki.client.keyFile },
        },
      ],
      validation_context: { trusted_ca: { inline_string: pki.ca } },
    });
    expect(load(doc).clusters[0]!.tls).toEqual({
      sni: 'backend.mesh.local',
      caPem: pki.ca,
      clientCertificate: { certificateChain: pki.client.cert, privateKey: pki.client.key },
    });
  });

  it('accepts one client certificate only, and not both filename and inline_string', () => {
    const pair = {
      certificate_chain: { filename: pki.client.certFile },
      private_key: { filename: pki.client.keyFile },
    };
    expect(loadError(withClusterTls({ tls_certificates: [pair, pair] })).message).toContain(
      'must hold at most one certificate upstream',
    );
    const both = withClusterTls({
      validation_context: { trusted_ca: { filename: pki.caFile, inline_string: pki.ca } },
    });
    expect(loadError(both).message).toContain('inline_string must not be set together with filename');
  });
});
