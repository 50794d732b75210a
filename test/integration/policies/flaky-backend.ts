// A deliberately unreliable upstream for the retry and mirror tests, listening on loopback in the test
// process. Behaviour by the first path segment, with a request counter per full path (so each test uses
// its own path and starts from zero):
//   /flaky/...      odd-numbered requests answer 503, even-numbered 200 (a retry always succeeds)
//   /down/...       always 503
//   /reset-once/... the first request's connection is destroyed before any answer, then 200
//   /slow-once/...  the first request answers after 1 s, the others at once
//   anything else   200
// Every answer is JSON {n, path, method, host, bodyLength, body}; `requests` records what arrived.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  method: string;
  host: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FlakyBackend {
  port: number;
  requests: SeenRequest[];
  countFor(path: string): number;
  close(): Promise<void>;
}

export async function startFlakyBackend(host = '127.0.0.1'): Promise<FlakyBackend> {
  const counts = new Map<string, number>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ path, method: req.method ?? '', host: req.headers.host, headers: req.headers, body });
      const kind = path.split('/')[1];
      const answer = (status: number) => {
        const out = JSON.stringify({
          n,
          path,
          method: req.method,
          host: req.headers.host,
          bodyLength: body.length,
          body,
        });
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(out),
        });
        res.end(out);
      };
      if (kind === 'flaky') answer(n % 2 === 1 ? 503 : 200);
      else if (kind === 'down') answer(503);
      else if (kind === 'reset-once' && n === 1) req.socket.destroy();
      else if (kind === 'slow-once' && n === 1) setTimeout(() => answer(200), 1000);
      else answer(200);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    countFor: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
