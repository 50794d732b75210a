// Envoy access log format strings ("Access logging" → "Format Strings" and "Command Operators" in the
// Envoy docs): literal text with `%COMMAND%`, `%COMMAND(ARG)%` or `%COMMAND(ARG):LENGTH%` operators and
// `%%` for a literal percent sign. A format is parsed once, when the configuration loads, into literal
// strings and small getter functions; formatting a request then only concatenates. An operator we do
// not implement is an error at load time, like Envoy's "Not supported field in StreamInfo".

import { hostname } from 'node:os';
import type { AccessLogEntry } from './access-log-entry.ts';
import { compileStartTimeFormat, StartTimeFormatError } from './start-time-format.ts';

export type { AccessLogEntry } from './access-log-entry.ts';

/** Envoy's default format ("Default Format String"), used when an access log sets no format. */
export const DEFAULT_ACCESS_LOG_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

export type AccessLogFormatter = (entry: AccessLogEntry) => string;

export class AccessLogFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessLogFormatError';
  }
}

/** A value for one operator; undefined or '' prints as `-` ("not set/empty" in the Envoy docs). */
type Getter = (e: AccessLogEntry) => string | undefined;

// The same shape Envoy's parser accepts: upper-case command, optional (argument without ")"), optional
// :length, closing %.
const COMMAND = /%([A-Z0-9_]+)(?:\(([^)]*)\))?(?::([0-9]+))?%/y;

/**
 * Parses `format` (Envoy's default when undefined) and returns the function that renders one entry.
 * Throws `AccessLogFormatError` naming the position and the operator when the format is invalid.
 */
export function compileAccessLogFormat(format: string = DEFAULT_ACCESS_LOG_FORMAT): AccessLogFormatter {
  const parts: (string | ((e: AccessLogEntry) => string))[] = [];
  let literal = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c !== '%') {
      literal += c;
      i++;
      continue;
    }
    if (format[i + 1] === '%') {
      literal += '%';
      i += 2;
      continue;
    }
    COMMAND.lastIndex = i;
    const m = COMMAND.exec(format);
    if (m === null) {
      throw new AccessLogFormatError(
        `access log format ${JSON.stringify(format)}: no valid command operator at position ${i} ` +
          '(expected %COMMAND%, %COMMAND(ARG)% or %COMMAND(ARG):LENGTH%; %% for a literal %)',
      );
    }
    const [, command = '', arg, length] = m;
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(
      withDefault(operator(command, arg, format), length === undefined ? undefined : Number(length)),
    );
    i = COMMAND.lastIndex;
  }
  if (literal !== '') parts.push(literal);

  const n = parts.length;
  return (entry) => {
    let out = '';
    for (let k = 0; k < n; k++) {
      const p = parts[k]!;
      out += typeof p === 'string' ? p : p(entry);
    }
    return out;
  };
}

/**
 * When `format` is exactly one operator (`%DURATION%`, `%REQ(X):10%`), its command and raw value getter
 * (undefined for unset, not `-`): json_format renders such values typed, unset as null.
 */
export function singleOperator(
  format: string,
): { command: string; get: (e: AccessLogEntry) => string | undefined } | undefined {
  COMMAND.lastIndex = 0;
  const m = COMMAND.exec(format);
  if (m === null || COMMAND.lastIndex !== format.length) return undefined;
  const [, command = '', arg, length] = m;
  const get = operator(command, arg, format);
  if (length === undefined) return { command, get };
  const max = Number(length);
  return {
    command,
    get: (e) => {
      const v = get(e);
      return v !== undefined && v.length > max ? v.slice(0, max) : v;
    },
  };
}

function withDefault(get: Getter, maxLength: number | undefined): (e: AccessLogEntry) => string {
  if (maxLength === undefined) {
    return (e) => {
      const v = get(e);
      return v === undefined || v === '' ? '-' : v;
    };
  }
  // `:Z` truncates the value to Z characters (REQ(X?Y):Z in the docs; Envoy applies it to any operator).
  return (e) => {
    const v = get(e);
    return v === undefined || v === '' ? '-' : v.length > maxLength ? v.slice(0, maxLength) : v;
  };
}

const NO_ARGUMENT: Record<string, Getter> = {
  RESPONSE_CODE: (e) => String(e.responseCode),
  RESPONSE_FLAGS: (e) => e.responseFlags,
  BYTES_RECEIVED: (e) => String(e.bytesReceived),
  BYTES_SENT: (e) => String(e.bytesSent),
  // Envoy logs whole milliseconds, truncated (a std::chrono duration_cast).
  DURATION: (e) => String(Math.trunc(e.durationMs)),
  REQUEST_DURATION: (e) =>
    e.requestDurationMs === undefined ? undefined : String(Math.trunc(e.requestDurationMs)),
  RESPONSE_DURATION: (e) =>
    e.responseDurationMs === undefined ? undefined : String(Math.trunc(e.responseDurationMs)),
  PROTOCOL: (e) => e.protocol,
  UPSTREAM_HOST: (e) => e.upstreamHost,
  UPSTREAM_CLUSTER: (e) => e.upstreamCluster,
  UPSTREAM_LOCAL_ADDRESS: (e) => e.upstreamLocalAddress,
  // Envoy writes the reason with its spaces as underscores, so a log line keeps one token per field.
  UPSTREAM_TRANSPORT_FAILURE_REASON: (e) => e.upstreamTransportFailureReason?.replace(/\s/g, '_'),
  DOWNSTREAM_REMOTE_ADDRESS: (e) => e.downstreamRemoteAddress,
  DOWNSTREAM_LOCAL_ADDRESS: (e) => e.downstreamLocalAddress,
  // Envoy strips the port for the *_WITHOUT_PORT variants.
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (e) => withoutPort(e.downstreamRemoteAddress),
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: (e) => withoutPort(e.downstreamLocalAddress),
  REQUESTED_SERVER_NAME: (e) => e.requestedServerName,
  DOWNSTREAM_PEER_URI_SAN: (e) => e.downstreamTls?.peerUriSan,
  DOWNSTREAM_PEER_SUBJECT: (e) => e.downstreamTls?.peerSubject,
  DOWNSTREAM_PEER_ISSUER: (e) => e.downstreamTls?.peerIssuer,
  DOWNSTREAM_PEER_FINGERPRINT_256: (e) => e.downstreamTls?.peerFingerprint256,
  DOWNSTREAM_LOCAL_URI_SAN: (e) => e.downstreamTls?.localUriSan,
  DOWNSTREAM_LOCAL_SUBJECT: (e) => e.downstreamTls?.localSubject,
  DOWNSTREAM_TLS_VERSION: (e) => e.downstreamTls?.tlsVersion,
  ROUTE_NAME: (e) => e.routeName,
  RESPONSE_CODE_DETAILS: (e) => e.responseCodeDetails,
  // Read once: the machine's name does not change while the proxy runs.
  HOSTNAME: (
    (name: string) => () =>
      name
  )(hostname()),
};

function withoutPort(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const i = address.lastIndexOf(':');
  if (i < 0) return address;
  const host = address.slice(0, i);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Operators whose value is a number: json_format keeps them numbers (Envoy's typed JSON values). */
export const NUMERIC_OPERATORS: ReadonlySet<string> = new Set([
  'RESPONSE_CODE',
  'BYTES_RECEIVED',
  'BYTES_SENT',
  'DURATION',
  'REQUEST_DURATION',
  'RESPONSE_DURATION',
]);

const SUPPORTED =
  'START_TIME, START_TIME(format), REQ(X?Y):Z, RESP(X?Y):Z, REQUEST_HEADER, RESPONSE_HEADER, ' +
  Object.keys(NO_ARGUMENT).join(', ');

function operator(command: string, arg: string | undefined, format: string): Getter {
  const where = `access log format ${JSON.stringify(format)}`;
  if (command === 'START_TIME') {
    try {
      const render = compileStartTimeFormat(arg);
      return (e) => render(e.startTime);
    } catch (err) {
      if (err instanceof StartTimeFormatError) throw new AccessLogFormatError(`${where}: ${err.message}`);
      throw err;
    }
  }
  // REQUEST_HEADER / RESPONSE_HEADER are the long names newer Envoy releases use in the same default format.
  if (
    command === 'REQ' ||
    command === 'REQUEST_HEADER' ||
    command === 'RESP' ||
    command === 'RESPONSE_HEADER'
  ) {
    const [main, alternative] = headerNames(command, arg, where);
    const lookup = command === 'REQ' || command === 'REQUEST_HEADER' ? requestHeader : responseHeader;
    const first = lookup(main);
    if (alternative === undefined) return first;
    const second = lookup(alternative);
    return (e) => {
      const v = first(e);
      return v === undefined || v === '' ? second(e) : v;
    };
  }
  const get = NO_ARGUMENT[command];
  if (get === undefined) {
    throw new AccessLogFormatError(
      `${where}: unsupported command operator %${command}% (supported: ${SUPPORTED})`,
    );
  }
  if (arg !== undefined)
    throw new AccessLogFormatError(`${where}: %${command}% takes no argument, got (${arg})`);
  return get;
}

// `X?Y`: header X, or Y when X is absent. Envoy rejects more than one alternative.
function headerNames(command: string, arg: string | undefined, where: string): [string, string | undefined] {
  if (arg === undefined || arg === '') {
    throw new AccessLogFormatError(
      `${where}: %${command}% needs a header name, as in %${command}(X-REQUEST-ID)%`,
    );
  }
  const names = arg.split('?');
  if (names.length > 2) {
    throw new AccessLogFormatError(`${where}: %${command}(${arg})% names more than one alternative header`);
  }
  if (names.some((n) => n === '')) {
    throw new AccessLogFormatError(`${where}: %${command}(${arg})% has an empty header name`);
  }
  return [names[0]!.toLowerCase(), names[1]?.toLowerCase()];
}

function requestHeader(name: string): Getter {
  switch (name) {
    case ':method':
      return (e) => e.method;
    case ':path':
      return (e) => e.path;
    case 'x-envoy-original-path':
      return (e) => e.originalPath ?? e.reqHeader(name);
    case ':authority':
      // HTTP/1.1 carries the authority in Host; Envoy maps it to :authority.
      return (e) => e.reqHeader(':authority') ?? e.reqHeader('host');
    default:
      return (e) => e.reqHeader(name);
  }
}

function responseHeader(name: string): Getter {
  if (name === 'x-envoy-upstream-service-time') {
    return (e) =>
      e.upstreamServiceTimeMs === undefined
        ? e.respHeader(name)
        : String(Math.trunc(e.upstreamServiceTimeMs));
  }
  return (e) => e.respHeader(name);
}
