// Requests to a sidecar's admin API over HTTP or HTTPS (GETs for scrapes, POST /runtime_modify for
// the weights API): straight to `http://podIP:port`, or through the
// Kubernetes API server's `pods/<name>:<port>/proxy` subresource with the kubeconfig's bearer token and
// TLS settings. URLs are built here by concatenation: @kubernetes/client-node URL-encodes the whole
// proxied path, so a query string (`?usedonly&filter=…`) would never reach the sidecar (NOTES.md).
//
// Each request has a deadline (connect + response), a cap on the body size, and errors that name the
// target, the URL and what went wrong. Connections are kept alive per TLS setting: a scrape every few
// seconds would otherwise pay a TCP (and, through the API server, a TLS) handshake per endpoint.
import http from 'node:http';
import https from 'node:https';
import type { AdminEndpoint } from '../../model/inventory.ts';

export interface AdminRequestOptions {
  /** Deadline for the whole exchange, from the first byte sent to the last byte received. */
  timeoutMs: number;
  /** Largest body accepted; a longer one aborts the request. */
  maxBytes: number;
  /** Who is asked, for error messages (a sidecar id). */
  target: string;
  signal?: AbortSignal;
}

export interface AdminResponse {
  url: string;
  status: number;
  body: string;
  bytes: number;
  durationMs: number;
}

export type AdminMethod = 'GET' | 'POST';

export type AdminFailure = 'timeout' | 'connect' | 'network' | 'tls' | 'status' | 'too-large' | 'aborted';

export class AdminRequestError extends Error {
  readonly target: string;
  readonly url: string;
  readonly failure: AdminFailure;
  /** The HTTP status for `status` failures. */
  readonly status: number | undefined;
  constructor(
    target: string,
    url: string,
    failure: AdminFailure,
    detail: string,
    status?: number,
    method: AdminMethod = 'GET',
  ) {
    super(`${target}: ${method} ${url} failed: ${detail}`);
    this.name = 'AdminRequestError';
    this.target = target;
    this.url = url;
    this.failure = failure;
    this.status = status;
  }
}

/**
 * The admin URL for `pathAndQuery` (which starts with `/`), appended to `baseUrl` as is; an absolute
 * `http(s)://` URL (a stats endpoint on another port, like istio-proxy's merged :15020) is used as is.
 */
export function adminUrl(endpoint: AdminEndpoint, pathAndQuery: string): URL {
  if (/^https?:\/\//i.test(pathAndQuery)) return new URL(pathAndQuery);
  const base = endpoint.baseUrl.replace(/\/+$/, '');
  return new URL(`${base}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`);
}

/** The URL as it may appear in a message or a status: without user info. */
export function displayUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

// Sockets per host: a sidecar gets at most the four requests of one scrape; an API server (pods/proxy,
// or `kubectl proxy` on plain HTTP) carries every sidecar's requests, so the cap leaves room for a
// full round of concurrent scrapes.
const MAX_SOCKETS_PER_HOST = 64;
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST });
const httpsAgents = new Map<string, https.Agent>();

function agentFor(url: URL, endpoint: AdminEndpoint): http.Agent {
  if (url.protocol !== 'https:') return httpAgent;
  const tls = endpoint.tls ?? {};
  const key = JSON.stringify([tls.ca, tls.cert, tls.key, tls.rejectUnauthorized]);
  let agent = httpsAgents.get(key);
  if (agent === undefined) {
    agent = new https.Agent({
      keepAlive: true,
      maxSockets: MAX_SOCKETS_PER_HOST,
      ...(tls.ca !== undefined && { ca: tls.ca }),
      ...(tls.cert !== undefined && { cert: tls.cert }),
      ...(tls.key !== undefined && { key: tls.key }),
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    });
    httpsAgents.set(key, agent);
  }
  return agent;
}

/** GET `pathAndQuery` on the endpoint; resolves with a 2xx body, rejects with an AdminRequestError. */
export function adminGet(
  endpoint: AdminEndpoint,
  pathAndQuery: string,
  opts: AdminRequestOptions,
): Promise<AdminResponse> {
  return adminRequest(endpoint, 'GET', pathAndQuery, opts);
}

/**
 * A bodiless GET or POST (admin POSTs such as `/runtime_modify` carry their parameters in the query
 * string); resolves with a 2xx body, rejects with an AdminRequestError.
 */
export async function adminRequest(
  endpoint: AdminEndpoint,
  method: AdminMethod,
  pathAndQuery: string,
  opts: AdminRequestOptions,
): Promise<AdminResponse> {
  const url = adminUrl(endpoint, pathAndQuery);
  const started = performance.now();
  const deadline = started + opts.timeoutMs;
  try {
    return await attempt(method, url, endpoint, opts, started, deadline);
  } catch (e) {
    // A kept-alive connection the sidecar closed while idle fails on reuse: retry once on a new one
    // (safe for the admin POSTs we send too: `/runtime_modify` with the same values is idempotent).
    if (e instanceof ReusedSocketReset && performance.now() < deadline) {
      return attempt(method, url, endpoint, opts, started, deadline);
    }
    throw e instanceof ReusedSocketReset ? e.error : e;
  }
}

class ReusedSocketReset extends Error {
  readonly error: AdminRequestError;
  constructor(error: AdminRequestError) {
    super(error.message);
    this.error = error;
  }
}

function attempt(
  method: AdminMethod,
  url: URL,
  endpoint: AdminEndpoint,
  opts: AdminRequestOptions,
  started: number,
  deadline: number,
): Promise<AdminResponse> {
  const shown = displayUrl(url);
  const fail = (failure: AdminFailure, detail: string, status?: number) =>
    new AdminRequestError(opts.target, shown, failure, detail, status, method);
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(fail('aborted', 'aborted'));
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method,
      headers: {
        accept: '*/*',
        ...(method === 'POST' && { 'content-length': '0' }),
        ...endpoint.headers,
      },
      agent: agentFor(url, endpoint),
    });
    let settled = false;
    const finish = (err: Error | undefined, res?: AdminResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        req.destroy();
        reject(err);
      } else resolve(res!);
    };
    const timer = setTimeout(
      () => finish(fail('timeout', `timed out after ${opts.timeoutMs} ms`)),
      Math.max(0, deadline - performance.now()),
    );
    const onAbort = () => finish(fail('aborted', 'aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', (err: NodeJS.ErrnoException) => {
      const error = networkError(err, fail);
      finish(req.reusedSocket && err.code === 'ECONNRESET' ? new ReusedSocketReset(error) : error);
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > opts.maxBytes) {
        finish(fail('too-large', `response of ${length} bytes exceeds the ${opts.maxBytes}-byte limit`));
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > opts.maxBytes) {
          finish(fail('too-large', `response exceeds the ${opts.maxBytes}-byte limit`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(networkError(err, fail)));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (status < 200 || status > 299) {
          finish(fail('status', `HTTP ${status}${bodyExcerpt(body)}`, status));
          return;
        }
        finish(undefined, { url: shown, status, body, bytes, durationMs: performance.now() - started });
      });
    });
    req.end();
  });
}

const NETWORK_CODES: Readonly<Record<string, [AdminFailure, string]>> = {
  ECONNREFUSED: ['connect', 'connection refused'],
  EHOSTUNREACH: ['connect', 'host unreachable'],
  ENETUNREACH: ['connect', 'network unreachable'],
  ENOTFOUND: ['connect', 'host name not found'],
  EAI_AGAIN: ['connect', 'host name lookup failed (try again)'],
  ECONNRESET: ['network', 'connection reset'],
  EPIPE: ['network', 'connection closed while sending'],
};

function networkError(
  err: NodeJS.ErrnoException,
  fail: (failure: AdminFailure, detail: string) => AdminRequestError,
): AdminRequestError {
  const known = err.code !== undefined ? NETWORK_CODES[err.code] : undefined;
  if (known !== undefined) return fail(known[0], `${known[1]} (${err.code})`);
  if (err.code?.startsWith('ERR_TLS') || /certificate|SSL|TLS/i.test(err.message)) {
    return fail('tls', `TLS: ${err.message}`);
  }
  return fail('network', err.code !== undefined ? `${err.message} (${err.code})` : err.message);
}

/** `: <first line of the body>` (an Envoy admin error is one short line; an API server's is JSON). */
function bodyExcerpt(body: string): string {
  const line = body.trim().split('\n', 1)[0] ?? '';
  if (line === '') return '';
  return `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}
