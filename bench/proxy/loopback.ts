// Loopback helpers: free ports on 127.0.0.1 and waiting until a server answers.
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** `count` distinct free ports on 127.0.0.1. All are held until every one is chosen, so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnFreePort());
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One GET on a fresh connection. */
export function httpGet(url: string, timeoutMs = 2000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `url` until it answers 200 with `expectedBody`. `stillRunning` is asked between attempts so a
 * server that crashed at start fails the wait at once, with its reason, instead of after the timeout.
 */
export async function waitUntilServing(
  url: string,
  expectedBody: string,
  stillRunning: () => string | undefined,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const failure = stillRunning();
    if (failure !== undefined) throw new Error(failure);
    try {
      const answer = await httpGet(url);
      if (answer.status === 200 && answer.body === expectedBody) return;
      last = `status ${answer.status}, body ${JSON.stringify(answer.body.slice(0, 200))}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not serve the origin's body within ${timeoutMs} ms (last: ${last})`);
}
