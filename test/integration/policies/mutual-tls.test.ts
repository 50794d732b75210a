// The sidecar lab's mTLS challenge (../shared/seeds/envoy-sidecar-lab.md, "Desafío 3: mTLS") with Envoy
// v3 config on two of our proxies: the caller's sidecar presents a client certificate (UpstreamTlsContext
// tls_certificates) and verifies the callee (trusted_ca, SNI); the callee's sidecar terminates TLS on its
// listener (DownstreamTlsContext) and requires a client certificate from the mesh CA. A client without a
// certificate, or with one from another CA, is refused. Certificates are made at test time with openssl.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { hasOpenssl, makeTestPki, type TestPki } from '../../support/test-certs.ts';

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const SNI = 'backend.mesh.local';

let pki: TestPki;
let backend: BackendProcess;
let callee: ProxyProcess;
let caller: ProxyProcess;
let accessLog: string;

function address(port: number) {
  return { socket_address: { address: '127.0.0.1', port_value: port } };
}

function hcm(statPrefix: string, routes: unknown[], extra: Record<string, unknown> = {}) {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': HCM_TYPE,
      stat_prefix: statPrefix,
      http_filters: [{ name: 'envoy.filters.http.router' }],
      route_config: { name: 'local', virtual_hosts: [{ name: 'all', domains: ['*'], routes }] },
      ...extra,
    },
  };
}

function cluster(name: string, port: number, transportSocket?: unknown) {
  return {
    name,
    connect_timeout: '1s',
    type: 'STATIC',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: address(port) } }] }],
    },
    ...(transportSocket !== undefined ? { transport_socket: transportSocket } : {}),
  };
}

function upstreamTls(common: Record<string, unknown>) {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: { '@type': UPSTREAM_TLS, sni: SNI, common_tls_context: common },
  };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          body += s;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** A raw TLS client to the callee: what it gets back for one request, or the error that ended it. */
function tlsRequest(port: number, cert?: { cert: string; key: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: SNI, ca: pki.ca, ...(cert ?? {}) },
      () => {
        socket.write(`GET / HTTP/1.1\r\nhost: ${SNI}\r\nconnection: close\r\n\r\n`);
      },
    );
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (s: string) => {
      text += s;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
    socket.on('close', () => resolve(text === '' ? 'closed without a response' : text));
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the test edits the bootstrap document in place
type Doc = Record<string, any>;

async function eventually(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The access log is written in batches: wait for its first line. */
async function firstLogLine(): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = readFileSync(accessLog, 'utf8').split('\n').find(Boolean);
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error('no access log line within 5 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function counter(proxy: ProxyProcess, name: string): Promise<number> {
  const { body } = await proxy.admin('/stats');
  const m = new RegExp(`^${name.replace(/\./g, '\\.')}: (\\d+)$`, 'm').exec(body);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  pki = makeTestPki(SNI);
  accessLog = join(pki.dir, 'callee-access.log');
  backend = await startBackend({ name: 'backend-v1' });
  callee = await startProxy({
    admin: { address: address(0) },
    static_resources: {
      listeners: [
        {
          name: 'inbound_tls',
          address: address(0),
          filter_chains: [
            {
              transport_socket: {
                name: 'envoy.transport_sockets.tls',
                typed_config: {
                  '@type': DOWNSTREAM_TLS,
                  require_client_certificate: true,
                  common_tls_context: {
                    tls_certificates: [
                      {
                        certificate_chain: { filename: pki.server.certFile },
                        private_key: { filename: pki.server.keyFile },
                      },
                    ],
                    validation_context: { trusted_ca: { filename: pki.caFile } },
                  },
                },
              },
              filters: [
                hcm('inbound', [{ match: { prefix: '/' }, route: { cluster: 'local_app' } }], {
                  access_log: [
                    {
                      name: 'envoy.access_loggers.file',
                      typed_config: {
                        '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
                        path: accessLog,
                        log_format: {
                          json_format: {
                            sni: '%REQUESTED_SERVER_NAME%',
                            local: '%DOWNSTREAM_LOCAL_ADDRESS%',
                            code: '%RESPONSE_CODE%',
                            details: '%RESPONSE_CODE_DETAILS%',
                            peer: '%DOWNSTREAM_PEER_URI_SAN%',
                            peer_subject: '%DOWNSTREAM_PEER_SUBJECT%',
                            peer_issuer: '%DOWNSTREAM_PEER_ISSUER%',
                            tls: '%DOWNSTREAM_TLS_VERSION%',
                          },
                        },
                      },
                    },
                  ],
                }),
              ],
            },
          ],
        },
      ],
      clusters: [cluster('local_app', backend.port)],
    },
  });
  const calleePort = callee.listenerPort;
  const mesh = { filename: pki.caFile };
  const clientCert = {
    certificate_chain: { filename: pki.client.certFile },
    private_key: { inline_string: pki.client.key },
  };
  caller = await startProxy({
    admin: { address: address(0) },
    static_resources: {
      listeners: [
        {
          name: 'outbound',
          address: address(0),
          filter_chains: [
            {
              filters: [
                hcm('outbound', [
                  { match: { prefix: '/no-cert' }, route: { cluster: 'backend_no_cert' } },
                  { match: { prefix: '/wrong-ca' }, route: { cluster: 'backend_wrong_ca' } },
                  { match: { prefix: '/other-sni' }, route: { cluster: 'backend_other_sni' } },
                  { match: { prefix: '/' }, route: { cluster: 'backend_mtls' } },
                ]),
              ],
            },
          ],
        },
      ],
      clusters: [
        cluster(
          'backend_mtls',
          calleePort,
          upstreamTls({ tls_certificates: [clientCert], validation_context: { trusted_ca: mesh } }),
        ),
        cluster('backend_no_cert', calleePort, upstreamTls({ validation_context: { trusted_ca: mesh } })),
        cluster('backend_other_sni', calleePort, {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': UPSTREAM_TLS,
            sni: 'not-in-the-certificate.example',
            common_tls_context: { tls_certificates: [clientCert], validation_context: { trusted_ca: mesh } },
          },
        }),
        cluster(
          'backend_wrong_ca',
          calleePort,
          upstreamTls({
            tls_certificates: [clientCert],
            validation_context: { trusted_ca: { filename: pki.otherCaFile } },
          }),
        ),
      ],
    },
  });
});

afterAll(async () => {
  await stopAll();
  pki?.remove();
});

describe.skipIf(!hasOpenssl)('mutual TLS between two sidecars (lab: Desafío 3)', () => {
  it('carries requests from the caller sidecar to the callee over mutual TLS', async () => {
    const r = await get(caller.listenerPort, '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('backend-v1');
    const prefix = `listener.127.0.0.1_${callee.listenerPort}.ssl.`;
    expect(await counter(callee, `${prefix}handshake`)).toBeGreaterThanOrEqual(1);
    expect(await counter(callee, `${prefix}no_certificate`)).toBe(0);
    expect(await counter(callee, 'http.inbound.downstream_cx_ssl_total')).toBeGreaterThanOrEqual(1);
    expect(await counter(caller, 'cluster.backend_mtls.ssl.handshake')).toBeGreaterThanOrEqual(1);
    const line = await firstLogLine();
    expect(JSON.parse(line)).toEqual({
      sni: SNI,
      local: `127.0.0.1:${callee.listenerPort}`,
      code: 200,
      details: 'via_upstream',
      // The caller's mesh identity, from the client certificate it presented.
      peer: 'spiffe://mesh.local/ns/default/sa/frontend',
      peer_subject: 'CN=client',
      peer_issuer: 'CN=mesh-ca',
      tls: 'TLSv1.3',
    });
  });

  it('refuses a caller that offers no client certificate', async () => {
    const before = await counter(callee, `listener.127.0.0.1_${callee.listenerPort}.ssl.fail_verify_no_cert`);
    const r = await get(caller.listenerPort, '/no-cert');
    expect(r.status).toBe(503);
    expect(await counter(callee, `listener.127.0.0.1_${callee.listenerPort}.ssl.fail_verify_no_cert`)).toBe(
      before + 1,
    );
    // A plain TLS client without a certificate gets the "certificate required" alert.
    expect(await tlsRequest(callee.listenerPort)).toMatch(
      /^error ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED$/,
    );
  });

  it('refuses a client certificate from another CA', async () => {
    const answer = await tlsRequest(callee.listenerPort, {
      cert: pki.strangerClient.cert,
      key: pki.strangerClient.key,
    });
    expect(answer).not.toContain('HTTP/1.1 200');
    expect(await counter(callee, `listener.127.0.0.1_${callee.listenerPort}.ssl.fail_verify_error`)).toBe(1);
    // The mesh's own client certificate is accepted by the same listener.
    expect(await tlsRequest(callee.listenerPort, { cert: pki.client.cert, key: pki.client.key })).toMatch(
      /^HTTP\/1\.1 200 /,
    );
  });

  it('redacts the inline private key in /config_dump, as Envoy does', async () => {
    const { status, body } = await caller.admin('/config_dump');
    expect(status).toBe(200);
    expect(body).not.toContain('PRIVATE KEY');
    expect(body).toContain('"private_key": {\n');
    expect(body).toContain('"inline_string": "[redacted]"');
    expect(body).toContain(pki.client.certFile);
  });

  it('does not talk to a callee whose certificate the caller cannot verify', async () => {
    const r = await get(caller.listenerPort, '/wrong-ca');
    expect(r.status).toBe(503);
    expect(r.body).toContain('upstream connect error');
    expect(await counter(caller, 'cluster.backend_wrong_ca.upstream_cx_connect_fail')).toBe(1);
    expect(await counter(caller, 'cluster.backend_wrong_ca.ssl.fail_verify_error')).toBe(1);
    expect(await counter(caller, 'cluster.backend_wrong_ca.ssl.connection_error')).toBe(1);
    expect(await counter(caller, 'cluster.backend_wrong_ca.ssl.handshake')).toBe(0);
  });

  it("checks the callee's chain, not its names (Envoy matches SANs only when told to)", async () => {
    const r = await get(caller.listenerPort, '/other-sni');
    expect(r.status).toBe(200);
    expect(r.body).toContain('backend-v1');
  });

  // Reloads last: they change the callee's listener.
  it('applies new client-certificate rules on reload without rebinding, then serves plain HTTP when TLS is removed', async () => {
    const doc = structuredClone(callee.config) as Doc;
    const chain = doc.static_resources.listeners[0].filter_chains[0];
    chain.transport_socket.typed_config.require_client_certificate = false;
    callee.writeConfig(doc);
    await eventually(async () => (await tlsRequest(callee.listenerPort)).startsWith('HTTP/1.1 200 '));
    const prefix = `listener.127.0.0.1_${callee.listenerPort}.ssl.`;
    expect(await counter(callee, `${prefix}no_certificate`)).toBeGreaterThanOrEqual(1);
    // A certificate from another CA is still refused: trusted_ca stays.
    expect(
      await tlsRequest(callee.listenerPort, { cert: pki.strangerClient.cert, key: pki.strangerClient.key }),
    ).not.toContain('HTTP/1.1 200');

    delete chain.transport_socket;
    callee.writeConfig(doc);
    await eventually(
      async () => (await get(callee.listenerPort, '/').catch(() => ({ status: 0 }))).status === 200,
    );
  });
});
