// A client that writes exact bytes to a server (the proxy's listener) and reads what comes back, for
// conformance tests that must send what no well-behaved HTTP client would.
import net from 'node:net';
import { ByteReader } from './byte-reader.ts';
import {
  type HttpResponse,
  type ReadResponseOptions,
  readFinalResponse,
  readResponse,
} from './http-message.ts';

export interface RawClient {
  readonly socket: net.Socket;
  readonly reader: ByteReader;
  /** Writes bytes (latin1 for strings, so every byte value can be sent); resolves once flushed. */
  write(data: string | Buffer): Promise<void>;
  readResponse(opts?: ReadResponseOptions): Promise<HttpResponse>;
  readFinalResponse(opts?: ReadResponseOptions): Promise<{ interim: HttpResponse[]; response: HttpResponse }>;
  /** True if the server closes the connection within `timeoutMs` without sending anything more. */
  closesWithin(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/** Every client opened, so a test file can make sure none outlives it. */
const open = new Set<net.Socket>();

export function rawConnect(port: number, host = '127.0.0.1'): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    const reader = new ByteReader(socket);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {
        /* a reset is seen by the reader as the end of the stream */
      });
      socket.setNoDelay(true);
      resolve({
        socket,
        reader,
        write: (data) =>
          new Promise<void>((res, rej) => {
            socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (err) =>
              err ? rej(err) : res(),
            );
          }),
        readResponse: (opts) => readResponse(reader, opts),
        readFinalResponse: (opts) => readFinalResponse(reader, opts),
        closesWithin: (ms) => reader.closesWithin(ms),
        close: () => socket.destroy(),
      });
    });
  });
}

/** Sends `bytes` on a new connection and reads one final response. The connection is left open. */
export async function sendRaw(
  port: number,
  bytes: string | Buffer,
  opts?: ReadResponseOptions,
): Promise<{ client: RawClient; response: HttpResponse }> {
  const client = await rawConnect(port);
  // A server may answer and close before it has read everything (an oversized head): the write can
  // then fail with EPIPE/ECONNRESET while the response is already waiting to be read.
  await client.write(bytes).catch(() => undefined);
  const { response } = await client.readFinalResponse(opts);
  return { client, response };
}

export function closeAllClients(): void {
  for (const s of open) s.destroy();
  open.clear();
}
