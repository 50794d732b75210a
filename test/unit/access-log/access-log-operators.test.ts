// The command operators beyond the default format (addresses, route, details, SNI, hostname), the
// response-code details Envoy logs, and json_format with typed values.

import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  type AccessLogEntry,
  AccessLogFormatError,
  compileAccessLogFormat,
} from '../../../proxy/access-log/access-log-format.ts';
import { compileJsonAccessLogFormat } from '../../../proxy/access-log/json-access-log-format.ts';
import { responseCodeDetails } from '../../../proxy/access-log/response-code-details.ts';
import { rfc2253, uriSans } from '../../../proxy/server/downstream-tls-info.ts';

function entry(fields: Partial<AccessLogEntry> = {}, req: Record<string, string> = {}): AccessLogEntry {
  return {
    startTime: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    method: 'GET',
    path: '/ratings/0',
    protocol: 'HTTP/1.1',
    responseCode: 200,
    responseFlags: '-',
    bytesReceived: 0,
    bytesSent: 57,
    durationMs: 412.7,
    reqHeader: (name) => req[name],
    respHeader: () => undefined,
    ...fields,
  };
}

const format = (fmt: string, e: AccessLogEntry) => compileAccessLogFormat(fmt)(e);

describe('operators', () => {
  const e = entry({
    upstreamHost: '10.0.0.7:9080',
    upstreamCluster: 'ratings',
    upstreamLocalAddress: '10.0.0.2:41234',
    downstreamRemoteAddress: '10.0.0.9:51000',
    downstreamLocalAddress: '10.0.0.2:15001',
    requestedServerName: 'ratings.bookinfo.svc',
    routeName: 'jason-delay',
    responseCodeDetails: 'via_upstream',
    requestDurationMs: 0.4,
    responseDurationMs: 411.2,
    responseFlags: 'DI',
    downstreamTls: {
      peerUriSan: 'spiffe://mesh.local/ns/default/sa/frontend',
      peerSubject: 'CN=frontend,O=mesh',
      peerIssuer: 'CN=mesh-ca',
      peerFingerprint256: 'ab01',
      localUriSan: 'spiffe://mesh.local/ns/default/sa/ratings',
      localSubject: 'CN=ratings',
      tlsVersion: 'TLSv1.3',
    },
  });

  it('renders each operator Envoy documents', () => {
    const cases: [string, string][] = [
      ['%UPSTREAM_HOST%', '10.0.0.7:9080'],
      ['%UPSTREAM_CLUSTER%', 'ratings'],
      ['%UPSTREAM_LOCAL_ADDRESS%', '10.0.0.2:41234'],
      ['%DOWNSTREAM_REMOTE_ADDRESS%', '10.0.0.9:51000'],
      ['%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%', '10.0.0.9'],
      ['%DOWNSTREAM_LOCAL_ADDRESS%', '10.0.0.2:15001'],
      ['%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%', '10.0.0.2'],
      ['%REQUESTED_SERVER_NAME%', 'ratings.bookinfo.svc'],
      ['%ROUTE_NAME%', 'jason-delay'],
      ['%RESPONSE_CODE_DETAILS%', 'via_upstream'],
      ['%RESPONSE_FLAGS%', 'DI'],
      ['%DURATION%', '412'],
      ['%REQUEST_DURATION%', '0'],
      ['%RESPONSE_DURATION%', '411'],
      ['%HOSTNAME%', hostname()],
      ['%UPSTREAM_TRANSPORT_FAILURE_REASON%', '-'],
      ['%ROUTE_NAME:5%', 'jason'],
      ['%DOWNSTREAM_PEER_URI_SAN%', 'spiffe://mesh.local/ns/default/sa/frontend'],
      ['%DOWNSTREAM_PEER_SUBJECT%', 'CN=frontend,O=mesh'],
      ['%DOWNSTREAM_PEER_ISSUER%', 'CN=mesh-ca'],
      ['%DOWNSTREAM_PEER_FINGERPRINT_256%', 'ab01'],
      ['%DOWNSTREAM_LOCAL_URI_SAN%', 'spiffe://mesh.local/ns/default/sa/ratings'],
      ['%DOWNSTREAM_LOCAL_SUBJECT%', 'CN=ratings'],
      ['%DOWNSTREAM_TLS_VERSION%', 'TLSv1.3'],
    ];
    for (const [fmt, want] of cases) expect([fmt, format(fmt, e)]).toEqual([fmt, want]);
  });

  it('prints - for what a request does not have', () => {
    const bare = entry();
    for (const op of [
      'UPSTREAM_LOCAL_ADDRESS',
      'REQUESTED_SERVER_NAME',
      'ROUTE_NAME',
      'RESPONSE_CODE_DETAILS',
    ]) {
      expect(format(`%${op}%`, bare)).toBe('-');
    }
  });

  it('strips brackets from an IPv6 address without port', () => {
    expect(
      format('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%', entry({ downstreamRemoteAddress: '[::1]:5' })),
    ).toBe('::1');
  });

  it('rejects an argument on an operator that takes none', () => {
    expect(() => compileAccessLogFormat('%ROUTE_NAME(x)%')).toThrow(AccessLogFormatError);
  });
});

describe('responseCodeDetails', () => {
  const d = (responseFlags: string, fromUpstream = false, responseCode = 503, localDetails?: string) =>
    responseCodeDetails({ responseCode, responseFlags, fromUpstream, localDetails });
  it('names local replies by their flag, upstream answers via_upstream', () => {
    expect(d('FI')).toBe('fault_filter_abort');
    expect(d('DI,FI')).toBe('fault_filter_abort');
    expect(d('NR', false, 404)).toBe('route_not_found');
    expect(d('UH')).toBe('no_healthy_upstream');
    expect(d('UO')).toBe('upstream_reset_before_response_started{overflow}');
    expect(d('UT', false, 504)).toBe('upstream_response_timeout');
    expect(d('UF,URX')).toBe('upstream_reset_before_response_started{connection_failure}');
    expect(d('-', true, 200)).toBe('via_upstream');
    expect(d('DI', true, 200)).toBe('via_upstream');
    expect(d('-', false, 200)).toBe('direct_response');
    expect(d('', false, 403, 'upgrade_failed')).toBe('upgrade_failed');
    expect(d('-', false, 0)).toBeUndefined();
  });
});

describe('json_format', () => {
  it('writes one JSON object per line, keys in order, single operators typed', () => {
    const render = compileJsonAccessLogFormat({
      start: '%START_TIME%',
      code: '%RESPONSE_CODE%',
      flags: '%RESPONSE_FLAGS%',
      duration: '%DURATION%',
      upstream: '%UPSTREAM_HOST%',
      user: '%REQ(END-USER)%',
      line: '%REQ(:METHOD)% %REQ(:PATH)%',
      nested: { cluster: '%UPSTREAM_CLUSTER%', literal: 'mesh' },
      n: 7,
    });
    const line = render(
      entry({ upstreamHost: '10.0.0.7:9080', responseFlags: 'DI' }, { 'end-user': 'jason' }),
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'start',
      'code',
      'flags',
      'duration',
      'upstream',
      'user',
      'line',
      'nested',
      'n',
    ]);
    expect(parsed).toEqual({
      start: '2024-01-02T03:04:05.678Z',
      code: 200,
      flags: 'DI',
      duration: 412,
      upstream: '10.0.0.7:9080',
      user: 'jason',
      line: 'GET /ratings/0',
      nested: { cluster: null, literal: 'mesh' },
      n: 7,
    });
  });

  it('writes null for an unset single operator and - inside a longer string', () => {
    const render = compileJsonAccessLogFormat({
      sni: '%REQUESTED_SERVER_NAME%',
      text: 'sni=%REQUESTED_SERVER_NAME%',
    });
    expect(JSON.parse(render(entry()))).toEqual({ sni: null, text: 'sni=-' });
  });

  it('rejects unknown operators and list values', () => {
    expect(() => compileJsonAccessLogFormat({ a: '%NOPE%' })).toThrow(/unsupported command operator %NOPE%/);
    expect(() => compileJsonAccessLogFormat({ a: ['%DURATION%'] })).toThrow(/json_format\.a/);
  });
});

describe('certificate names', () => {
  it('prints subjects most specific first (RFC 2253) and picks the URI SANs', () => {
    expect(rfc2253({ C: 'ES', O: 'mesh', CN: 'frontend' })).toBe('CN=frontend,O=mesh,C=ES');
    expect(rfc2253({ OU: ['a', 'b'] })).toBe('OU=a+OU=b');
    expect(rfc2253({})).toBeUndefined();
    expect(uriSans('DNS:frontend.default.svc, URI:spiffe://mesh.local/ns/default/sa/frontend')).toBe(
      'spiffe://mesh.local/ns/default/sa/frontend',
    );
    expect(uriSans('URI:spiffe://a, URI:spiffe://b')).toBe('spiffe://a,spiffe://b');
    expect(uriSans('DNS:x')).toBeUndefined();
  });
});
