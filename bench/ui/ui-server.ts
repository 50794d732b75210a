// A stand-in for the dashboard in the UI benchmark: serves the built UI (client/dist) and answers the
// API from synthetic data, so the real UI can be measured on graphs far larger than the demo mesh.
// GET /api/graph answers the current graph for the requested graph type; GET /api/events holds
// server-sent-event streams open and `push()` writes a `graph` event to each, exactly as the
// dashboard's events router does once per scrape cycle; /api/sidecars lists one healthy sidecar per
// workload; /api/routes has no routes. Any other API path is a 404 in the API's error shape, and is
// recorded, so the bench can say when the UI asked for something this stand-in does not serve.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { type Graph, type GraphType, GraphTypeSchema } from '../../shared/api/graph.ts';
import type { SidecarList } from '../../shared/api/sidecars.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
};

export interface UiServer {
  readonly url: string;
  /** Writes the graph of each stream's type as a `graph` event to every open /api/events stream. */
  push(): number;
  /** Open /api/events streams. */
  streams(): number;
  /** API paths answered 404 (what the UI asked for that this stand-in does not serve). */
  readonly unserved: Set<string>;
  close(): Promise<void>;
}

export interface UiServerOptions {
  /** The built UI (client/dist). */
  staticDir: string;
  /** The graph for a type, as it is now (called on every request and every push). */
  graph: (type: GraphType) => Graph;
  sidecars: () => SidecarList;
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const root = resolve(opts.staticDir);
  const streams = new Set<{ res: http.ServerResponse; type: GraphType }>();
  const unserved = new Set<string>();
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const graphType = (url: URL): GraphType => {
    const t = GraphTypeSchema.safeParse(url.searchParams.get('graphType') ?? 'versionedApp');
    return t.success ? t.data : 'versionedApp';
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/api/graph') return json(res, 200, opts.graph(graphType(url)));
    if (path === '/api/sidecars') return json(res, 200, opts.sidecars());
    if (path === '/api/routes') return json(res, 200, { routes: [] });
    if (path === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const stream = { res, type: graphType(url) };
      streams.add(stream);
      res.write(`event: graph\ndata: ${JSON.stringify(opts.graph(stream.type))}\n\n`);
      req.on('close', () => streams.delete(stream));
      return;
    }
    if (path.startsWith('/api/')) {
      unserved.add(path);
      return json(res, 404, { error: { code: 'not_found', message: `the bench does not serve ${path}` } });
    }
    // Static files; anything that is not a file is the single-page app's index.
    let file = normalize(join(root, decodeURIComponent(path)));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile())
      file = join(root, 'index.html');
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    unserved,
    streams: () => streams.size,
    push() {
      const byType = new Map<GraphType, string>();
      for (const s of streams) {
        let data = byType.get(s.type);
        if (data === undefined) {
          data = JSON.stringify(opts.graph(s.type));
          byType.set(s.type, data);
        }
        s.res.write(`event: graph\ndata: ${data}\n\n`);
      }
      return streams.size;
    },
    close() {
      for (const s of streams) s.res.end();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
