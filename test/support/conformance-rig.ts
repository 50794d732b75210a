// The rig the HTTP/1.1 conformance files run against: the real proxy with listeners in front of a
// scriptable raw upstream (to see exactly what is forwarded), a slow one (backpressure), and real
// backends (WebSocket-style upgrades, keep-alive reuse). Each file gets its own rig.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { staticBootstrap } from './envoy-bootstrap.ts';
import type { HttpRequest } from './http-message.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  type RawUpstream,
  type RawUpstreamConnection,
  rawUpstream,
  startBackend,
  startProxy,
  stopAll,
} from './processes.ts';
import { closeAllClients } from './raw-client.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Handler = (req: HttpRequest, conn: RawUpstreamConnection) => void | Promise<void>;

/** The raw upstream's default answer: what it received, as JSON. */
export const describeRequest: Handler = (req, conn) =>
  conn.respond(
    200,
    JSON.stringify({
      conn: conn.id,
      method: req.method,
      target: req.target,
      version: req.version,
      framing: req.framing,
      headers: req.headers,
      bodyLength: req.bodyLength,
      bodySha256: req.bodySha256,
    }),
    { 'content-type': 'application/json' },
  );

export interface Described {
  conn: number;
  method: string;
  target: string;
  version: string;
  framing: string;
  headers: [string, string][];
  bodyLength: number;
  bodySha256: string;
}

export const header = (d: Described, name: string): string[] =>
  d.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

export function chunked(body: Buffer, pieceSize: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceSize) {
    const piece = body.subarray(i, i + pieceSize);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

export interface ConformanceRig {
  up: RawUpstream;
  slowUp: RawUpstream;
  backend: BackendProcess;
  reuseBackend: BackendProcess;
  proxy: ProxyProcess;
  port: { raw: number; backend: number; backendNoUpgrade: number; slow: number; reuse: number };
  /** How the raw upstream answers; reset to describeRequest before every test. */
  handler: Handler;
}

/** Registers the suite's hooks; the returned rig is filled in by beforeAll. */
export function setUpConformanceRig(): ConformanceRig {
  const rig = { handler: describeRequest } as ConformanceRig;
  beforeAll(async () => {
    [rig.up, rig.slowUp, rig.backend, rig.reuseBackend] = await Promise.all([
      rawUpstream(),
      rawUpstream(),
      startBackend({ name: 'v1' }),
      startBackend({ name: 'reuse' }),
    ]);
    rig.up.serve((req, conn) => rig.handler(req, conn), { keepBody: false, timeoutMs: 60_000 });
    rig.proxy = await startProxy(
      staticBootstrap({
        listeners: [
          { name: 'raw', routes: [{ prefix: '/', cluster: 'raw' }] },
          { name: 'backend', routes: [{ prefix: '/', cluster: 'backend' }], upgradeTypes: ['websocket'] },
          { name: 'backend_no_upgrade', routes: [{ prefix: '/', cluster: 'backend' }] },
          { name: 'slow', routes: [{ prefix: '/', cluster: 'slow' }] },
          { name: 'reuse', routes: [{ prefix: '/', cluster: 'reuse' }] },
        ],
        clusters: [
          { name: 'raw', endpoints: [{ port: rig.up.port }] },
          { name: 'backend', endpoints: [{ port: rig.backend.port }] },
          { name: 'slow', endpoints: [{ port: rig.slowUp.port }] },
          { name: 'reuse', endpoints: [{ port: rig.reuseBackend.port }] },
        ],
      }),
    );
    const p = rig.proxy.listenerPorts;
    rig.port = {
      raw: p['raw']!,
      backend: p['backend']!,
      backendNoUpgrade: p['backend_no_upgrade']!,
      slow: p['slow']!,
      reuse: p['reuse']!,
    };
  });
  afterAll(async () => {
    closeAllClients();
    await stopAll();
    await Promise.all([rig.up?.close(), rig.slowUp?.close()]);
  });
  beforeEach(() => {
    rig.handler = describeRequest;
  });
  return rig;
}
