// The admin listener: node:http (the admin API is not on the hot path), reading the request, handing
// it to the pure dispatcher and writing the answer with Envoy's admin response headers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HistogramIntervals } from '../stats/histogram-quantiles.ts';
import type { AdminRequest, AdminResponse, ContentKind } from './admin-response.ts';
import { type AdminState, dispatchAdmin } from './admin-routes.ts';
import type { AdminContext } from './context.ts';

/** Largest request body accepted (runtime_modify forms are tiny); larger gets 413. */
export const MAX_ADMIN_BODY_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<ContentKind, string> = {
  text: 'text/plain; charset=UTF-8',
  json: 'application/json',
  html: 'text/html; charset=UTF-8',
};

export interface AdminServer {
  server: http.Server;
  /** The bound address (useful with port 0). */
  address: AddressInfo;
  close(): Promise<void>;
}

export interface AdminOptions {
  maxBodyBytes?: number;
}

function send(res: http.ServerResponse, r: AdminResponse, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(r.status, {
    'content-type': CONTENT_TYPES[r.contentType],
    // Envoy sets both on every admin response.
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache, max-age=0',
    'content-length': Buffer.byteLength(r.body),
    ...extraHeaders,
  });
  if (r.afterSend) res.once('finish', r.afterSend);
  res.end(r.body);
}

function tooLarge(res: http.ServerResponse): void {
  send(res, { status: 413, body: 'Payload Too Large', contentType: 'text' }, { connection: 'close' });
}

function toAdminRequest(req: http.IncomingMessage, body: string): AdminRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    body,
    contentType,
  };
}

function handle(
  ctx: AdminContext,
  state: AdminState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  max: number,
) {
  req.on('error', () => res.destroy());
  if (Number(req.headers['content-length'] ?? 0) > max) {
    tooLarge(res);
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  req.on('data', (chunk: Buffer) => {
    if (rejected) return;
    size += chunk.length;
    if (size > max) {
      rejected = true;
      tooLarge(res);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (rejected) return;
    let r: AdminResponse;
    try {
      r = dispatchAdmin(ctx, toAdminRequest(req, Buffer.concat(chunks).toString('utf8')), state);
    } catch (e) {
      r = { status: 500, body: e instanceof Error ? e.message : String(e), contentType: 'text' };
    }
    send(res, r);
  });
}

/** Starts the admin server; resolves once it is listening. */
export function startAdmin(
  ctx: AdminContext,
  addr: { address: string; port: number },
  opts: AdminOptions = {},
): Promise<AdminServer> {
  const state: AdminState = { intervals: new HistogramIntervals() };
  const max = opts.maxBodyBytes ?? MAX_ADMIN_BODY_BYTES;
  const server = http.createServer((req, res) => handle(ctx, state, req, res, max));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.address, () => {
      server.off('error', reject);
      resolve({
        server,
        address: server.address() as AddressInfo,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
