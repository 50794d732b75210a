// A stand-in proxy for the benchmark: the plain way to write a reverse proxy in Node (`node:http` server,
// `http.request` with a keep-alive agent), with the same weighted split as the Envoy route. It is not
// meshscope's proxy; it stays as a reference point for what a straightforward Node proxy achieves.
// Usage: node bench/proxy/node-http-proxy.ts --port P --upstreams PORT:WEIGHT[,PORT:WEIGHT...]
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';

interface Upstream {
  port: number;
  weight: number;
  agent: Agent;
}

function argument(flag: string): string {
  const index = process.argv.indexOf(flag);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value === undefined) throw new Error(`missing ${flag}`);
  return value;
}

const port = Number(argument('--port'));
const upstreams: Upstream[] = argument('--upstreams')
  .split(',')
  .map((pair) => {
    const [upstreamPort, weight] = pair.split(':').map(Number);
    // 64 idle connections per upstream, like nginx's `keepalive 64`.
    return {
      port: upstreamPort!,
      weight: weight!,
      agent: new Agent({ keepAlive: true, maxFreeSockets: 64 }),
    };
  });
const totalWeight = upstreams.reduce((sum, upstream) => sum + upstream.weight, 0);

function pickUpstream(): Upstream {
  let ticket = Math.random() * totalWeight;
  for (const upstream of upstreams) {
    ticket -= upstream.weight;
    if (ticket < 0) return upstream;
  }
  return upstreams[upstreams.length - 1]!;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of hopByHop) delete copy[name];
  return copy;
}

createServer((clientRequest, clientResponse) => {
  const upstream = pickUpstream();
  const upstreamRequest = request(
    {
      host: '127.0.0.1',
      port: upstream.port,
      method: clientRequest.method,
      path: clientRequest.url,
      headers: forwardable(clientRequest.headers),
      agent: upstream.agent,
    },
    (upstreamResponse) => {
      clientResponse.writeHead(upstreamResponse.statusCode ?? 502, forwardable(upstreamResponse.headers));
      upstreamResponse.pipe(clientResponse);
    },
  );
  upstreamRequest.on('error', () => {
    if (!clientResponse.headersSent) clientResponse.writeHead(502).end();
    else clientResponse.destroy();
  });
  // If the client goes away first, abort the upstream request: otherwise it can hold its pooled
  // connection forever (a write that returned false never sees 'drain').
  clientResponse.on('close', () => {
    if (!clientResponse.writableFinished) upstreamRequest.destroy();
  });
  clientRequest.pipe(upstreamRequest);
}).listen(port, '127.0.0.1');
