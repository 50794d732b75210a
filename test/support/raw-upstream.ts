// An in-process upstream on 127.0.0.1 whose every byte the test controls: it records exactly what the
// proxy forwarded (to prove a refused request never reached it, or that a body arrived intact) and
// answers with bytes the test scripts (to check how the proxy frames, reuses or closes).
import net from 'node:net';
import { ByteReader, DEFAULT_READ_TIMEOUT_MS } from './byte-reader.ts';
import { type HttpRequest, type ReadOptions, readRequest } from './http-message.ts';

export interface RawUpstreamConnection {
  /** 1 for the first connection accepted, 2 for the next… */
  readonly id: number;
  readonly socket: net.Socket;
  readonly reader: ByteReader;
  readRequest(opts?: ReadOptions): Promise<HttpRequest>;
  write(data: string | Buffer): Promise<void>;
  /** Writes a complete response with a Content-Length body. */
  respond(status: number, body?: string | Buffer, headers?: Record<string, string>): Promise<void>;
  /** Resolves when the proxy (or we) closed this connection. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
}

export type RequestHandler = (req: HttpRequest, conn: RawUpstreamConnection) => void | Promise<void>;

export interface RawUpstream {
  readonly port: number;
  /** Every connection accepted so far, in order. */
  readonly connections: readonly RawUpstreamConnection[];
  /** Bytes received over all connections. */
  readonly bytesReceived: number;
  /** The next connection not yet handed out by this method (waits for it). */
  nextConnection(timeoutMs?: number): Promise<RawUpstreamConnection>;
  /**
   * Answers every request on every connection (present and future) with `handler`, one request at a
   * time per connection, as a simple HTTP/1.1 server would.
   */
  serve(handler: RequestHandler, opts?: ReadOptions): void;
  close(): Promise<void>;
}

function statusLine(status: number): string {
  const reasons: Record<number, string> = {
    200: 'OK',
    201: 'Created',
    204: 'No Content',
    304: 'Not Modified',
    404: 'Not Found',
    500: 'Internal Server Error',
  };
  return `HTTP/1.1 ${status} ${reasons[status] ?? 'Status'}`;
}

export function rawUpstream(): Promise<RawUpstream> {
  const connections: RawUpstreamConnection[] = [];
  let handedOut = 0;
  let wake: (() => void) | null = null;
  let handler: { fn: RequestHandler; opts: ReadOptions | undefined } | null = null;

  const serveConnection = async (c: RawUpstreamConnection) => {
    while (handler && !c.isClosed) {
      let req: HttpRequest;
      try {
        req = await c.readRequest({ timeoutMs: 60_000, ...handler.opts });
      } catch {
        return; // closed (or idle past a minute): nothing more to serve
      }
      await handler.fn(req, c);
    }
  };

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {
      /* resets are part of what tests provoke; the reader sees them as the end */
    });
    const reader = new ByteReader(socket);
    let isClosed = false;
    const closed = new Promise<void>((resolve) =>
      socket.on('close', () => {
        isClosed = true;
        resolve();
      }),
    );
    const write = (data: string | Buffer) =>
      new Promise<void>((resolve, reject) => {
        socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (err) =>
          err ? reject(err) : resolve(),
        );
      });
    const conn: RawUpstreamConnection = {
      id: connections.length + 1,
      socket,
      reader,
      readRequest: (opts) => readRequest(reader, opts),
      write,
      respond: (status, body = '', headers = {}) => {
        const b = typeof body === 'string' ? Buffer.from(body) : body;
        let head = `${statusLine(status)}\r\n`;
        for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
        if (status !== 204 && status !== 304 && !('content-length' in headers))
          head += `content-length: ${b.length}\r\n`;
        return write(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), b]));
      },
      closed,
      get isClosed() {
        return isClosed;
      },
    };
    connections.push(conn);
    const w = wake;
    wake = null;
    w?.();
    if (handler) void serveConnection(conn);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        connections,
        get bytesReceived() {
          return connections.reduce((n, c) => n + c.reader.received, 0);
        },
        async nextConnection(timeoutMs = DEFAULT_READ_TIMEOUT_MS) {
          const deadline = Date.now() + timeoutMs;
          while (connections.length <= handedOut) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no upstream connection #${handedOut + 1} within ${timeoutMs} ms`);
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => {
                clearTimeout(t);
                r();
              };
            });
          }
          return connections[handedOut++]!;
        },
        serve(fn, opts) {
          const first = handler === null;
          handler = { fn, opts };
          if (first) for (const c of connections) void serveConnection(c);
        },
        close() {
          handler = null;
          for (const c of connections) c.socket.destroy();
          return new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}
