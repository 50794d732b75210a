// The `@type` URLs of the extension configs we accept (Envoy v3 API).

const PREFIX = 'type.googleapis.com/';

export const TYPE_URL = {
  httpConnectionManager: `${PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  router: `${PREFIX}envoy.extensions.filters.http.router.v3.Router`,
  fault: `${PREFIX}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  stdoutAccessLog: `${PREFIX}envoy.extensions.access_loggers.stream.v3.StdoutAccessLog`,
  stderrAccessLog: `${PREFIX}envoy.extensions.access_loggers.stream.v3.StderrAccessLog`,
  fileAccessLog: `${PREFIX}envoy.extensions.access_loggers.file.v3.FileAccessLog`,
  upstreamTlsContext: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  downstreamTlsContext: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  routeConfiguration: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
} as const;

/** Envoy's canonical extension names, which configs put in `name` next to the typed_config. */
export const EXTENSION_NAME = {
  httpConnectionManager: 'envoy.filters.network.http_connection_manager',
  router: 'envoy.filters.http.router',
  fault: 'envoy.filters.http.fault',
  tlsTransportSocket: 'envoy.transport_sockets.tls',
} as const;
