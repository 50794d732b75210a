// The facts about one finished request that the access log formatter reads. The request path fills
// one per logged request (proxy/server/access-log-record.ts); header values are looked up lazily,
// only for the `%REQ(...)%` / `%RESP(...)%` operators the configured format actually uses.

export interface AccessLogEntry {
  /** Request start, epoch milliseconds (may carry a fraction for `%START_TIME(%6f)%`). */
  startTime: number;
  method: string;
  /** The request target as received (`:path`). */
  path: string;
  /** `x-envoy-original-path` when a route rewrote the path (`%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%`). */
  originalPath?: string | undefined;
  /** `HTTP/1.1`, `HTTP/1.0`, `HTTP/2`. */
  protocol: string;
  /** 0 when no response was started (client went away first), as Envoy logs it. */
  responseCode: number;
  /** Envoy response flags (`UH`, `UF,URX`, …); '' or '-' for none. */
  responseFlags: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  /** Start to last byte of the request received (`%REQUEST_DURATION%`). */
  requestDurationMs?: number | undefined;
  /** Start to first byte from upstream (`%RESPONSE_DURATION%`). */
  responseDurationMs?: number | undefined;
  /** What `x-envoy-upstream-service-time` carries; used before asking `respHeader`. */
  upstreamServiceTimeMs?: number | undefined;
  /** `ip:port` of the upstream host that served the request. */
  upstreamHost?: string | undefined;
  upstreamCluster?: string | undefined;
  /** `ip:port` of the client. */
  downstreamRemoteAddress?: string | undefined;
  /** `ip:port` the client connected to (the listener's address). */
  downstreamLocalAddress?: string | undefined;
  /** `ip:port` of our side of the upstream connection. */
  upstreamLocalAddress?: string | undefined;
  /** SNI the client sent on a downstream TLS connection (`%REQUESTED_SERVER_NAME%`). */
  requestedServerName?: string | undefined;
  /** Downstream TLS: the client's and our certificate, the version (`%DOWNSTREAM_PEER_URI_SAN%`, …). */
  downstreamTls?: DownstreamTlsInfo | undefined;
  /** The route's `name`. */
  routeName?: string | undefined;
  /** Why the response has its code (`via_upstream`, `route_not_found`, `fault_filter_abort`, …). */
  responseCodeDetails?: string | undefined;
  /** Why connecting to the upstream failed (`%UPSTREAM_TRANSPORT_FAILURE_REASON%`). */
  upstreamTransportFailureReason?: string | undefined;
  /** A request header by lower-case name (`:authority`, `user-agent`, …); undefined when absent. */
  reqHeader(name: string): string | undefined;
  /** A response header by lower-case name; undefined when absent. */
  respHeader(name: string): string | undefined;
}

/** A downstream TLS connection as the `%DOWNSTREAM_PEER_*%` / `%DOWNSTREAM_LOCAL_*%` operators see it. */
export interface DownstreamTlsInfo {
  /** URI SANs of the client certificate (the mesh identity, e.g. spiffe://…), comma-joined. */
  readonly peerUriSan: string | undefined;
  /** Subject and issuer in RFC 2253 form (`CN=frontend,O=mesh`). */
  readonly peerSubject: string | undefined;
  readonly peerIssuer: string | undefined;
  /** SHA-256 of the client certificate, lower-case hex. */
  readonly peerFingerprint256: string | undefined;
  readonly localUriSan: string | undefined;
  readonly localSubject: string | undefined;
  /** `TLSv1.3`, `TLSv1.2`. */
  readonly tlsVersion: string | undefined;
}
