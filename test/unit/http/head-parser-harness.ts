import {
  type HeadError,
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from '../../../proxy/http/head-parser.ts';

// Shared by the well-formed and the rejection tests: each wrapper fails the test outright when the
// parser's verdict is the other one, so a test reads as the head it feeds and the fields it checks.

/** A head as it arrives on the wire: lines joined by CRLF, ended by the empty line. */
export function head(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function request(...lines: string[]): RequestHead {
  const r = parseRequestHead(head(...lines));
  if (isHeadError(r)) throw new Error(`unexpected rejection: ${r.status} ${r.reason}`);
  return r;
}

export function requestError(s: string): HeadError {
  const r = parseRequestHead(s);
  if (!isHeadError(r)) throw new Error(`accepted a head that must be refused: ${JSON.stringify(s)}`);
  return r;
}

export function response(...lines: string[]): ResponseHead {
  const r = parseResponseHead(head(...lines));
  if (isHeadError(r)) throw new Error(`unexpected rejection: ${r.status} ${r.reason}`);
  return r;
}

export function responseError(s: string): HeadError {
  const r = parseResponseHead(s);
  if (!isHeadError(r)) throw new Error(`accepted a head that must be refused: ${JSON.stringify(s)}`);
  return r;
}
