// Downstream TLS on a listener (a filter chain's DownstreamTlsContext): the server the listener accepts
// on — plain TCP or TLS — and Envoy's `listener.<address>.ssl.*` stats. Client certificates follow the
// DownstreamTlsContext rules: with a trusted_ca a presented certificate must chain to it; with
// require_client_certificate a client without one is refused (TLS alert "certificate required" when a
// CA is configured, as OpenSSL in Envoy sends it).

import net from 'node:net';
import tls from 'node:tls';
import type { DownstreamTls } from '../config/model.ts';
import type { Counter, StatsStore } from '../stats/store.ts';

class TlsListenerStats {
  readonly handshake: Counter;
  readonly connectionError: Counter;
  readonly noCertificate: Counter;
  readonly failVerifyNoCert: Counter;
  readonly failVerifyError: Counter;
  private readonly store: StatsStore;
  private readonly prefix: string;

  constructor(store: StatsStore, address: string, port: number) {
    this.store = store;
    this.prefix = `listener.${address}_${port}.ssl.`;
    this.handshake = store.counter(`${this.prefix}handshake`);
    this.connectionError = store.counter(`${this.prefix}connection_error`);
    this.noCertificate = store.counter(`${this.prefix}no_certificate`);
    this.failVerifyNoCert = store.counter(`${this.prefix}fail_verify_no_cert`);
    this.failVerifyError = store.counter(`${this.prefix}fail_verify_error`);
  }

  /** `ssl.versions.TLSv1.3` and friends: Envoy counts handshakes per protocol version. */
  version(protocol: string): Counter {
    return this.store.counter(`${this.prefix}versions.${protocol}`);
  }
}

interface ServerTlsSettings {
  context: tls.SecureContextOptions;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

function settingsOf(config: DownstreamTls): ServerTlsSettings {
  return {
    context: {
      cert: config.certificates.map((c) => c.certificateChain),
      key: config.certificates.map((c) => c.privateKey),
      ...(config.trustedCa !== undefined ? { ca: config.trustedCa } : {}),
    },
    // A client certificate is asked for whenever it would be checked or required.
    requestCert: config.trustedCa !== undefined || config.requireClientCertificate,
    // OpenSSL refuses a missing or untrusted certificate itself only when there is a CA to verify against.
    rejectUnauthorized: config.requireClientCertificate && config.trustedCa !== undefined,
  };
}

/** The TLS settings each TLS listener server currently applies (replaced in place on reload). */
const running = new WeakMap<net.Server, { tls: DownstreamTls }>();

function hasPeerCertificate(socket: tls.TLSSocket): boolean {
  const cert = socket.getPeerCertificate();
  return cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
}

/**
 * The server for a listener: `net` without TLS, `tls` with it. `onConnection` gets sockets ready for
 * HTTP (after a successful handshake and the client-certificate checks).
 */
export function createListenerServer(
  config: { address: { address: string; port: number }; tls?: DownstreamTls | undefined },
  store: StatsStore,
  onConnection: (socket: net.Socket) => void,
): net.Server {
  const tlsConfig = config.tls;
  if (tlsConfig === undefined) return net.createServer({ noDelay: true }, onConnection);
  const stats = new TlsListenerStats(store, config.address.address, config.address.port);
  const settings = settingsOf(tlsConfig);
  const alpn = tlsConfig.alpn;
  const server = tls.createServer({
    noDelay: true,
    ...settings.context,
    requestCert: settings.requestCert,
    rejectUnauthorized: settings.rejectUnauthorized,
    ...(alpn !== undefined ? { ALPNProtocols: alpn } : {}),
  });
  const current = { tls: tlsConfig };
  running.set(server, current);
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const presented = hasPeerCertificate(socket);
    const { trustedCa, requireClientCertificate } = current.tls;
    if (!presented && requireClientCertificate) {
      stats.failVerifyNoCert.inc();
      stats.connectionError.inc();
      socket.destroy();
      return;
    }
    if (presented && trustedCa !== undefined && !socket.authorized) {
      stats.failVerifyError.inc();
      stats.connectionError.inc();
      socket.destroy();
      return;
    }
    stats.handshake.inc();
    if (!presented) stats.noCertificate.inc();
    const protocol = socket.getProtocol();
    if (protocol) stats.version(protocol).inc();
    onConnection(socket);
  });
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    stats.connectionError.inc();
    if (err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') stats.failVerifyNoCert.inc();
    else if (socket.authorizationError) stats.failVerifyError.inc();
  });
  return server;
}

/**
 * Applies a reloaded listener's TLS settings to a running server when it can be done in place (TLS
 * before and after: new certificates and client-certificate rules for the next handshakes). Returns
 * false when the server must be replaced (TLS switched on or off).
 */
export function updateListenerTls(server: net.Server, next: DownstreamTls | undefined): boolean {
  const current = running.get(server);
  if (current === undefined || next === undefined) return current === undefined && next === undefined;
  const settings = settingsOf(next);
  const tlsServer = server as tls.Server & { requestCert: boolean; rejectUnauthorized: boolean };
  tlsServer.setSecureContext(settings.context);
  tlsServer.requestCert = settings.requestCert;
  tlsServer.rejectUnauthorized = settings.rejectUnauthorized;
  current.tls = next;
  return true;
}
