import { describe, expect, it } from 'vitest';
import type { Route, RouteAction } from '../../../proxy/config/model.ts';
import { isHeadError, parseRequestHead, parseResponseHead } from '../../../proxy/http/head-parser.ts';
import { buildDownstreamHead, buildUpstreamHead } from '../../../proxy/server/forwarded-heads.ts';

function req(raw: string) {
  const h = parseRequestHead(raw);
  if (isHeadError(h)) throw new Error(h.reason);
  return h;
}

const action: RouteAction = { kind: 'route', cluster: 'c', timeoutMs: 15000 };
const route: Route = {
  match: { prefix: '/api/', caseSensitive: true, headers: [], queryParameters: [] },
  action,
};

describe('the request head the upstream sees', () => {
  it('drops hop-by-hop headers (also those named in Connection), adds Envoy headers', () => {
    const r = req(
      'GET /api/x?q=1 HTTP/1.1\r\nHost: Front.Example\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: 5\r\nTE: trailers\r\nX-Forwarded-Proto: https\r\nAccept: */*\r\n\r\n',
    );
    const { head, generatedRequestId } = buildUpstreamHead(r, route, action, false, () => 'id-1');
    expect(head).toBe(
      'GET /api/x?q=1 HTTP/1.1\r\nAccept: */*\r\nhost: front.example\r\nx-forwarded-proto: http\r\nx-request-id: id-1\r\nx-envoy-expected-rq-timeout-ms: 15000\r\n\r\n',
    );
    expect(generatedRequestId).toBe('id-1');
  });

  it('keeps a client x-request-id, rewrites prefix and host, keeps chunked framing and upgrades', () => {
    const r = req(
      'POST /api/items HTTP/1.1\r\nHost: a\r\nX-Request-Id: abc\r\nTransfer-Encoding: chunked\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    const a: RouteAction = {
      ...action,
      prefixRewrite: '/v2/',
      hostRewriteLiteral: 'backend.internal',
      timeoutMs: 0,
    };
    const { head, generatedRequestId } = buildUpstreamHead(
      r,
      { ...route, action: a },
      a,
      true,
      () => 'unused',
    );
    expect(generatedRequestId).toBeUndefined();
    expect(head).toBe(
      'POST /v2/items HTTP/1.1\r\nX-Request-Id: abc\r\nhost: backend.internal\r\ntransfer-encoding: chunked\r\nconnection: upgrade\r\nupgrade: websocket\r\nx-forwarded-proto: http\r\n\r\n',
    );
  });
});

describe('the response head the client sees', () => {
  const res = (raw: string) => {
    const h = parseResponseHead(raw);
    if (isHeadError(h)) throw new Error(h.reason);
    return h;
  };
  const base = {
    keepAlive: true,
    http10Client: false,
    chunked: false,
    serviceTimeMs: 7,
    serverName: 'envoy',
  };

  it('replaces server, drops hop-by-hop, adds the upstream service time', () => {
    const h = res(
      'HTTP/1.1 200 OK\r\nServer: nginx\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\nContent-Length: 2\r\n\r\n',
    );
    expect(buildDownstreamHead(h, base)).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-envoy-upstream-service-time: 7\r\nserver: envoy\r\n\r\n',
    );
  });

  it('says close to a client that will be closed, keep-alive to an HTTP/1.0 one that stays, chunked when re-chunking', () => {
    const h = res('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect(buildDownstreamHead(h, { ...base, keepAlive: false })).toContain('\r\nconnection: close\r\n');
    expect(buildDownstreamHead(h, { ...base, http10Client: true })).toContain(
      '\r\nconnection: keep-alive\r\n',
    );
    expect(buildDownstreamHead(h, { ...base, chunked: true })).toContain(
      '\r\ntransfer-encoding: chunked\r\n',
    );
    expect(buildDownstreamHead(h, base)).not.toMatch(/transfer-encoding/i);
  });
});
