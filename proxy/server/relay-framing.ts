// How the proxy frames an upstream response body for its client (RFC 9112 §6.3): where the upstream
// body ends, and what the client needs instead when the two sides differ — an HTTP/1.0 client cannot
// read chunked framing (the chunk data is forwarded, ended by a close), and a close-delimited body is
// re-chunked for a keep-alive HTTP/1.1 client. Pure, so it is tested without sockets.
import type { Framing } from '../http/body-framer.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';

export interface RelayFraming {
  /** Where the upstream body ends. */
  framing: Framing;
  /** Forward only the chunk data (an HTTP/1.0 client of a chunked upstream). */
  dechunk: boolean;
  /** Re-chunk a close-delimited body (an HTTP/1.1 client kept alive). */
  rechunk: boolean;
  /** The client connection must close after this response. */
  close: boolean;
}

export function relayFraming(req: RequestHead, head: ResponseHead): RelayFraming {
  const http10 = req.versionMinor === 0;
  if (head.status === 101) return { framing: 'close', dechunk: false, rechunk: false, close: false };
  if (req.method === 'HEAD' || head.status === 204 || head.status === 304) {
    return { framing: 'none', dechunk: false, rechunk: false, close: false };
  }
  if (head.chunked) return { framing: 'chunked', dechunk: http10, rechunk: false, close: http10 };
  if (head.contentLength >= 0) return { framing: 'length', dechunk: false, rechunk: false, close: false };
  return { framing: 'close', dechunk: false, rechunk: !http10, close: http10 };
}
