// The heads the proxy writes on each side, built from what it parsed: the request as the upstream sees
// it (hop-by-hop headers dropped, Host and path rewritten, Envoy's x-forwarded-proto, x-request-id and
// x-envoy-expected-rq-timeout-ms added) and the response as the client sees it (hop-by-hop dropped,
// framing and connection headers set by the proxy, x-envoy-upstream-service-time and server added).
// Pure string building, so it is tested without sockets.
import type { Route, RouteAction } from '../config/model.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';

/** Request headers never forwarded (RFC 9110 §7.6.1 hop-by-hop, plus ones the proxy regenerates). */
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'upgrade',
  'transfer-encoding',
  'host',
  'expect',
  'http2-settings',
  'x-forwarded-proto',
  'x-envoy-expected-rq-timeout-ms',
]);
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'server',
]);

export interface UpstreamHead {
  head: string;
  /** The x-request-id the proxy generated, when the client sent none. */
  generatedRequestId: string | undefined;
}

export function buildUpstreamHead(
  req: RequestHead,
  route: Route,
  action: RouteAction,
  chunked: boolean,
  newRequestId: () => string,
): UpstreamHead {
  let target = req.target;
  if (action.prefixRewrite !== undefined && route.match.prefix !== undefined) {
    target = action.prefixRewrite + req.path.slice(route.match.prefix.length) + req.query;
  }
  let s = `${req.method} ${target} HTTP/1.1\r\n`;
  let hasRequestId = false;
  const { names, lower, values, connectionHeaders } = req;
  for (let i = 0; i < names.length; i++) {
    const n = lower[i]!;
    if (DROP_REQUEST.has(n) || connectionHeaders?.includes(n)) continue;
    if (n === 'x-request-id') hasRequestId = true;
    s += `${names[i]}: ${values[i]}\r\n`;
  }
  s += `host: ${action.hostRewriteLiteral ?? req.authority}\r\n`;
  if (chunked) s += 'transfer-encoding: chunked\r\n';
  if (req.upgrade !== undefined) s += `connection: upgrade\r\nupgrade: ${req.upgrade}\r\n`;
  s += 'x-forwarded-proto: http\r\n';
  let generatedRequestId: string | undefined;
  if (!hasRequestId) {
    generatedRequestId = newRequestId();
    s += `x-request-id: ${generatedRequestId}\r\n`;
  }
  if (action.timeoutMs > 0) s += `x-envoy-expected-rq-timeout-ms: ${action.timeoutMs}\r\n`;
  return { head: `${s}\r\n`, generatedRequestId };
}

export interface DownstreamHeadOptions {
  keepAlive: boolean;
  http10Client: boolean;
  /** The proxy frames the body as chunked (passing a chunked body through, or re-chunking a close-delimited one). */
  chunked: boolean;
  serviceTimeMs: number;
  serverName: string;
}

export function buildDownstreamHead(head: ResponseHead, o: DownstreamHeadOptions): string {
  const upgrade = head.status === 101;
  let s = upgrade ? 'HTTP/1.1 101 Switching Protocols\r\n' : `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
  const { names, lower, values, connectionHeaders } = head;
  for (let i = 0; i < names.length; i++) {
    const n = lower[i]!;
    if (DROP_RESPONSE.has(n) || connectionHeaders?.includes(n)) continue;
    if (n === 'upgrade' && !upgrade) continue;
    s += `${names[i]}: ${values[i]}\r\n`;
  }
  if (upgrade) s += 'connection: upgrade\r\n';
  else if (!o.keepAlive) s += 'connection: close\r\n';
  else if (o.http10Client) s += 'connection: keep-alive\r\n';
  if (o.chunked) s += 'transfer-encoding: chunked\r\n';
  return `${s}x-envoy-upstream-service-time: ${o.serviceTimeMs}\r\nserver: ${o.serverName}\r\n\r\n`;
}
