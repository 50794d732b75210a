// How an upstream response body is framed for the client (RFC 9112 §6.3).
import { describe, expect, it } from 'vitest';
import {
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from '../../../proxy/http/head-parser.ts';
import { relayFraming } from '../../../proxy/server/relay-framing.ts';

function req(text: string): RequestHead {
  const h = parseRequestHead(text);
  if (isHeadError(h)) throw new Error('bad request head');
  return h;
}

function resp(text: string): ResponseHead {
  const h = parseResponseHead(text);
  if (isHeadError(h)) throw new Error('bad response head');
  return h;
}

const GET11 = req('GET / HTTP/1.1\r\nhost: a\r\n\r\n');
const GET10 = req('GET / HTTP/1.0\r\nhost: a\r\n\r\n');
const HEAD11 = req('HEAD / HTTP/1.1\r\nhost: a\r\n\r\n');

describe('relayFraming', () => {
  it('Content-Length and chunked bodies pass through to an HTTP/1.1 client', () => {
    expect(relayFraming(GET11, resp('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n'))).toEqual({
      framing: 'length',
      dechunk: false,
      rechunk: false,
      close: false,
    });
    expect(relayFraming(GET11, resp('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n')).framing).toBe(
      'chunked',
    );
  });

  it('an HTTP/1.0 client of a chunked upstream gets the chunk data and a close', () => {
    expect(relayFraming(GET10, resp('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'))).toEqual({
      framing: 'chunked',
      dechunk: true,
      rechunk: false,
      close: true,
    });
  });

  it('a close-delimited body is re-chunked for HTTP/1.1 and closes for HTTP/1.0', () => {
    const closeDelimited = resp('HTTP/1.1 200 OK\r\n\r\n');
    expect(relayFraming(GET11, closeDelimited)).toMatchObject({
      framing: 'close',
      rechunk: true,
      close: false,
    });
    expect(relayFraming(GET10, closeDelimited)).toMatchObject({
      framing: 'close',
      rechunk: false,
      close: true,
    });
  });

  it('HEAD, 204 and 304 have no body; 101 is a tunnel', () => {
    expect(relayFraming(HEAD11, resp('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n')).framing).toBe('none');
    expect(relayFraming(GET11, resp('HTTP/1.1 204 No Content\r\n\r\n')).framing).toBe('none');
    expect(relayFraming(GET11, resp('HTTP/1.1 304 Not Modified\r\n\r\n')).framing).toBe('none');
    expect(
      relayFraming(GET11, resp('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n')).framing,
    ).toBe('close');
  });
});
