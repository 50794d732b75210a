// A real HTTP/1.1 backend for integration tests, run as its own process with the pinned Node
// (`startBackend()` in processes.ts starts it): `node backend-server.ts --name v1 [--port N]`.
// It prints `{"port":N}` on its first stdout line once listening, answers stats over the IPC channel,
// and exits when its parent goes away (IPC disconnect), so a crashed test run leaves no process behind.
//
//   GET  /                 200, x-backend: <name>, JSON {backend, version, method, path}
//   ANY  /echo             JSON of the request: method, url, httpVersion, headers, rawHeaders, body
//                          (≤ 1 MiB, utf8), bodyLength, bodySha256
//   ANY  /sink             reads the body and answers {bodyLength, bodySha256}
//   GET  /bytes/N          N pattern bytes (pattern-bytes.ts) with Content-Length; ?chunked=1 for chunked
//   ANY  /status/N         status N (no body for 204/304)
//   ANY  /delay/MS         answers after MS milliseconds
//   ANY  /close            answers with Connection: close
//   GET  /ws               with Upgrade (any protocol): 101, then echoes raw bytes
// Each endpoint is matched at the end of the path, so a test can route by prefix without a rewrite
// (`/slow/delay/2000` delays too). HEAD works on all of them; Expect: 100-continue is answered with
// 100 Continue before the body is read.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { PATTERN_BLOCK, patternBlock } from './pattern-bytes.ts';

export interface BackendStats {
  /** Connections accepted since start. */
  connections: number;
  openConnections: number;
  requests: number;
  /** Response body bytes handed to the socket (buffered or sent). */
  bodyBytesWritten: number;
  /** Request body bytes read. */
  bodyBytesRead: number;
  upgrades: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const name = arg('name') ?? 'v1';
const version = arg('version') ?? name;
const port = Number(arg('port') ?? 0);
const stats: BackendStats = {
  connections: 0,
  openConnections: 0,
  requests: 0,
  bodyBytesWritten: 0,
  bodyBytesRead: 0,
  upgrades: 0,
};

function json(res: http.ServerResponse, status: number, obj: unknown, head: boolean): void {
  const body = Buffer.from(`${JSON.stringify(obj)}\n`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  if (head) res.end();
  else {
    stats.bodyBytesWritten += body.length;
    res.end(body);
  }
}

async function readBody(
  req: http.IncomingMessage,
  keep: boolean,
): Promise<{ body: Buffer; length: number; sha: string }> {
  const h = createHash('sha256');
  const parts: Buffer[] = [];
  let length = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    length += c.length;
    stats.bodyBytesRead += c.length;
    h.update(c);
    if (keep && length <= 1 << 20) parts.push(c);
  }
  return { body: Buffer.concat(parts), length, sha: h.digest('hex') };
}

/** Writes N pattern bytes, waiting for 'drain' whenever the socket pushes back. */
async function streamPattern(res: http.ServerResponse, n: number): Promise<void> {
  let k = 0;
  for (let off = 0; off < n; off += PATTERN_BLOCK, k++) {
    const block = patternBlock(k);
    const piece = n - off >= PATTERN_BLOCK ? block : block.subarray(0, n - off);
    stats.bodyBytesWritten += piece.length;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
      if (res.destroyed) return;
    }
  }
  res.end();
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  stats.requests++;
  res.setHeader('x-backend', name);
  const url = new URL(req.url ?? '/', 'http://backend');
  const head = req.method === 'HEAD';
  const path = url.pathname;
  const bytes = /\/bytes\/(\d+)$/.exec(path);
  const statusM = /\/status\/(\d{3})$/.exec(path);
  const delay = /\/delay\/(\d+)$/.exec(path);
  if (path.endsWith('/echo')) {
    const b = await readBody(req, true);
    json(
      res,
      200,
      {
        backend: name,
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: b.length <= 1 << 20 ? b.body.toString('utf8') : undefined,
        bodyLength: b.length,
        bodySha256: b.sha,
      },
      head,
    );
  } else if (path.endsWith('/sink')) {
    const b = await readBody(req, false);
    json(res, 200, { backend: name, bodyLength: b.length, bodySha256: b.sha }, head);
  } else if (bytes) {
    await readBody(req, false);
    const n = Number(bytes[1]);
    const chunked = url.searchParams.get('chunked') === '1';
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      ...(chunked ? {} : { 'content-length': n }),
    });
    if (head) res.end();
    else await streamPattern(res, n);
  } else if (statusM) {
    await readBody(req, false);
    const status = Number(statusM[1]);
    if (status === 204 || status === 304) {
      res.writeHead(status);
      res.end();
    } else json(res, status, { backend: name, status }, head);
  } else if (delay) {
    const ms = Number(delay[1]);
    await readBody(req, false);
    await new Promise((r) => setTimeout(r, ms));
    json(res, 200, { backend: name, delayedMs: ms }, head);
  } else if (path.endsWith('/close')) {
    await readBody(req, false);
    res.setHeader('connection', 'close');
    json(res, 200, { backend: name, closing: true }, head);
  } else {
    await readBody(req, false);
    json(res, 200, { backend: name, version, method: req.method, path }, head);
  }
}

const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
  handle(req, res).catch((e: unknown) => {
    res.destroy(e as Error);
  });
});
// Answer 100 Continue and then read the body, as a server that honours Expect does.
server.on('checkContinue', (req, res) => {
  res.writeContinue();
  server.emit('request', req, res);
});
server.on('connection', (socket: net.Socket) => {
  stats.connections++;
  stats.openConnections++;
  socket.on('close', () => stats.openConnections--);
});
server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, rest: Buffer) => {
  stats.requests++;
  if (!/\/ws(\?|$)/.test(req.url ?? '')) {
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    return;
  }
  stats.upgrades++;
  const proto = req.headers.upgrade ?? 'websocket';
  let head = `HTTP/1.1 101 Switching Protocols\r\nupgrade: ${proto}\r\nconnection: Upgrade\r\nx-backend: ${name}\r\n`;
  const key = req.headers['sec-websocket-key'];
  if (typeof key === 'string') {
    // RFC 6455 §4.2.2: the accept value proves the server read the handshake.
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    head += `sec-websocket-accept: ${accept}\r\n`;
  }
  socket.write(`${head}\r\n`);
  if (rest.length > 0) socket.write(rest);
  socket.pipe(socket);
  socket.on('error', () => socket.destroy());
});

process.on('message', (msg: unknown) => {
  if (msg === 'stats') process.send?.({ stats });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});

server.listen({ host: '127.0.0.1', port }, () => {
  const addr = server.address() as net.AddressInfo;
  process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);
});
