import { describe, expect, it } from 'vitest';
import {
  type AccessLogEntry,
  AccessLogFormatError,
  compileAccessLogFormat,
  DEFAULT_ACCESS_LOG_FORMAT,
} from '../../../proxy/access-log/access-log-format.ts';

/** A plain entry with header maps; header names are looked up lower-case, as the formatter promises. */
function entry(
  fields: Partial<AccessLogEntry> = {},
  req: Record<string, string> = {},
  resp: Record<string, string> = {},
) {
  const e: AccessLogEntry = {
    startTime: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    method: 'GET',
    path: '/api/v1/items?limit=5',
    protocol: 'HTTP/1.1',
    responseCode: 200,
    responseFlags: '-',
    bytesReceived: 0,
    bytesSent: 1234,
    durationMs: 12.9,
    reqHeader: (name) => {
      expect(name).toBe(name.toLowerCase());
      return req[name];
    },
    respHeader: (name) => {
      expect(name).toBe(name.toLowerCase());
      return resp[name];
    },
    ...fields,
  };
  return e;
}

const format = (fmt: string, e: AccessLogEntry) => compileAccessLogFormat(fmt)(e);

describe('compileAccessLogFormat: the default format', () => {
  it('is the format string of the Envoy docs', () => {
    expect(DEFAULT_ACCESS_LOG_FORMAT).toBe(
      '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% ' +
        '%RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% ' +
        '"%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n',
    );
  });

  it('formats a proxied request exactly', () => {
    const line = compileAccessLogFormat()(
      entry(
        { upstreamServiceTimeMs: 10, upstreamHost: '127.0.0.1:9001' },
        {
          'x-forwarded-for': '10.0.0.1',
          'user-agent': 'curl/8.5.0',
          'x-request-id': '9f1c7c1e-2b4a-4c55-9d0e-0d6c1b7f2a10',
          host: 'backend:8080',
        },
      ),
    );
    expect(line).toBe(
      '[2024-01-02T03:04:05.678Z] "GET /api/v1/items?limit=5 HTTP/1.1" 200 - 0 1234 12 10 "10.0.0.1" ' +
        '"curl/8.5.0" "9f1c7c1e-2b4a-4c55-9d0e-0d6c1b7f2a10" "backend:8080" "127.0.0.1:9001"\n',
    );
  });

  it('reproduces the example line of the Envoy docs', () => {
    const line = compileAccessLogFormat()(
      entry(
        {
          startTime: Date.parse('2016-04-15T20:17:00.310Z'),
          method: 'POST',
          path: '/api/v1/locations',
          protocol: 'HTTP/2',
          responseCode: 204,
          responseFlags: '',
          bytesReceived: 154,
          bytesSent: 0,
          durationMs: 226,
          upstreamServiceTimeMs: 100,
          upstreamHost: 'tcp://10.0.2.1:80',
        },
        {
          'x-forwarded-for': '10.0.35.28',
          'user-agent': 'nsq2http',
          'x-request-id': 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
          ':authority': 'locations',
        },
      ),
    );
    expect(line).toBe(
      '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" ' +
        '"nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"\n',
    );
  });

  it('prints - for every missing value of a request that never reached an upstream', () => {
    const line = compileAccessLogFormat()(
      entry({ responseCode: 0, responseFlags: 'DC', bytesSent: 0, durationMs: 0.4, path: '/slow' }),
    );
    expect(line).toBe('[2024-01-02T03:04:05.678Z] "GET /slow HTTP/1.1" 0 DC 0 0 0 - "-" "-" "-" "-" "-"\n');
  });

  it('logs the original path when a route rewrote it', () => {
    const line = format('%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', entry({ originalPath: '/old', path: '/new' }));
    expect(line).toBe('/old');
  });
});

describe('compileAccessLogFormat: each operator', () => {
  const full = entry(
    {
      responseCode: 503,
      responseFlags: 'UF,URX',
      bytesReceived: 17,
      bytesSent: 91,
      durationMs: 250.99,
      requestDurationMs: 1.7,
      responseDurationMs: 249.2,
      upstreamServiceTimeMs: 248.6,
      upstreamHost: '10.1.2.3:8080',
      upstreamCluster: 'backend_v2',
      downstreamRemoteAddress: '127.0.0.1:53412',
      protocol: 'HTTP/1.0',
    },
    { host: 'svc.local', 'user-agent': 'wrk', 'x-b': 'from-b' },
    { 'content-type': 'text/plain', 'x-envoy-upstream-service-time': '999' },
  );

  it.each([
    ['%START_TIME%', '2024-01-02T03:04:05.678Z'],
    ['%REQ(:METHOD)%', 'GET'],
    ['%REQ(:PATH)%', '/api/v1/items?limit=5'],
    ['%REQ(:AUTHORITY)%', 'svc.local'],
    ['%REQ(User-Agent)%', 'wrk'],
    ['%REQ(X-A?X-B)%', 'from-b'],
    ['%REQ(X-A)%', '-'],
    ['%REQ(USER-AGENT):2%', 'wr'],
    ['%REQUEST_HEADER(USER-AGENT)%', 'wrk'],
    ['%RESP(CONTENT-TYPE)%', 'text/plain'],
    ['%RESPONSE_HEADER(CONTENT-TYPE):4%', 'text'],
    ['%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%', '248'],
    ['%RESP(X-MISSING)%', '-'],
    ['%RESPONSE_CODE%', '503'],
    ['%RESPONSE_FLAGS%', 'UF,URX'],
    ['%BYTES_RECEIVED%', '17'],
    ['%BYTES_SENT%', '91'],
    ['%DURATION%', '250'],
    ['%REQUEST_DURATION%', '1'],
    ['%RESPONSE_DURATION%', '249'],
    ['%UPSTREAM_HOST%', '10.1.2.3:8080'],
    ['%UPSTREAM_CLUSTER%', 'backend_v2'],
    ['%UPSTREAM_CLUSTER%:%UPSTREAM_CLUSTER:7%', 'backend_v2:backend'],
    ['%PROTOCOL%', 'HTTP/1.0'],
    ['%DOWNSTREAM_REMOTE_ADDRESS%', '127.0.0.1:53412'],
    ['100%% of %REQ(:METHOD)%s', '100% of GETs'],
    ['no operators at all', 'no operators at all'],
    ['', ''],
  ])('%s → %s', (fmt, expected) => {
    expect(format(fmt, full)).toBe(expected);
  });

  it('prints - for optional stream facts that are not set', () => {
    const e = entry();
    expect(
      format(
        '%REQUEST_DURATION% %RESPONSE_DURATION% %UPSTREAM_HOST% %UPSTREAM_CLUSTER% %DOWNSTREAM_REMOTE_ADDRESS%',
        e,
      ),
    ).toBe('- - - - -');
  });

  it('takes x-envoy-upstream-service-time from the response when the entry has no figure', () => {
    expect(
      format(
        '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
        entry({}, {}, { 'x-envoy-upstream-service-time': '7' }),
      ),
    ).toBe('7');
  });

  it('prefers :authority and falls back to Host', () => {
    expect(format('%REQ(:AUTHORITY)%', entry({}, { ':authority': 'a.example', host: 'h.example' }))).toBe(
      'a.example',
    );
    expect(format('%REQ(:AUTHORITY)%', entry({}, { host: 'h.example' }))).toBe('h.example');
  });

  it('uses the alternative header when the first is empty', () => {
    expect(format('%REQ(X-A?X-B)%', entry({}, { 'x-a': '', 'x-b': 'b' }))).toBe('b');
  });
});

describe('compileAccessLogFormat: START_TIME formats', () => {
  const at = (iso: string, extraMs = 0) => entry({ startTime: Date.parse(iso) + extraMs });

  it.each([
    [
      '%START_TIME(%Y/%m/%dT%H:%M:%S%z %s)%',
      '2018-05-29T10:43:10.528Z',
      '2018/05/29T10:43:10+0000 1527590590',
    ],
    ['%START_TIME(%s.%3f)%', '2018-05-29T10:43:10.528Z', '1527590590.528'],
    ['%START_TIME(%s.%6f)%', '2018-05-29T10:43:10.528Z', '1527590590.528000'],
    ['%START_TIME(%s.%9f)%', '2018-05-29T10:43:10.528Z', '1527590590.528000000'],
    ['%START_TIME(%f)%', '2018-05-29T10:43:10.005Z', '005000000'],
    ['%START_TIME(%Y-%m-%dT%H:%M:%E3SZ)%', '2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z'],
    ['%START_TIME(%a %b %e %T %Y)%', '2024-03-07T23:59:01.000Z', 'Thu Mar  7 23:59:01 2024'],
    ['%START_TIME(%A, %d %B %y %p)%', '2024-12-29T13:00:00.000Z', 'Sunday, 29 December 24 PM'],
    ['%START_TIME(%F day %j %Z)%', '2024-12-31T00:00:00.000Z', '2024-12-31 day 366 UTC'],
    ['%START_TIME(%D 100%%)%', '2024-02-09T00:00:00.000Z', '02/09/24 100%'],
  ])('%s at %s → %s', (fmt, iso, expected) => {
    expect(format(fmt, at(iso))).toBe(expected);
  });

  it('renders fractions below a millisecond', () => {
    expect(format('%START_TIME(%6f)%', at('2024-01-02T03:04:05.000Z', 12.345))).toBe('012345');
    expect(format('%START_TIME(%9f)%', at('2024-01-02T03:04:05.000Z', 12.345))).toBe('012345000');
  });

  it('keeps the per-second cache correct across seconds and within one', () => {
    const f = compileAccessLogFormat('%START_TIME% %START_TIME(%H:%M:%S.%3f)%');
    const base = Date.parse('2024-01-02T03:04:05.000Z');
    expect(f(entry({ startTime: base + 7 }))).toBe('2024-01-02T03:04:05.007Z 03:04:05.007');
    expect(f(entry({ startTime: base + 999 }))).toBe('2024-01-02T03:04:05.999Z 03:04:05.999');
    expect(f(entry({ startTime: base + 1000 }))).toBe('2024-01-02T03:04:06.000Z 03:04:06.000');
    expect(f(entry({ startTime: base + 86 }))).toBe('2024-01-02T03:04:05.086Z 03:04:05.086');
    expect(f(entry({ startTime: base - 1 }))).toBe('2024-01-02T03:04:04.999Z 03:04:04.999');
  });
});

describe('compileAccessLogFormat: invalid formats fail at load time', () => {
  it.each([
    ['%GRPC_STATUS%', /unsupported command operator %GRPC_STATUS%/],
    ['[%START_TIME%] %NOT_AN_OPERATOR%\n', /unsupported command operator %NOT_AN_OPERATOR%/],
    ['100% done', /no valid command operator at position 3/],
    ['%START_TIME', /no valid command operator at position 0/],
    ['%req(:method)%', /no valid command operator at position 0/],
    ['%REQ%', /%REQ% needs a header name/],
    ['%RESP()%', /%RESP% needs a header name/],
    ['%REQ(A?B?C)%', /more than one alternative header/],
    ['%REQ(?B)%', /empty header name/],
    ['%PROTOCOL(x)%', /%PROTOCOL% takes no argument/],
    ['%START_TIME(%Q)%', /unsupported START_TIME format "%Q"/],
    ['%START_TIME(%Y%)%', /a lone "%" at the end/],
  ])('%s', (fmt, message) => {
    expect(() => compileAccessLogFormat(fmt)).toThrow(AccessLogFormatError);
    expect(() => compileAccessLogFormat(fmt)).toThrow(message);
  });

  it('names the whole format in the message, for the config loader to show', () => {
    expect(() => compileAccessLogFormat('x %BAD% y')).toThrow('access log format "x %BAD% y"');
  });
});
