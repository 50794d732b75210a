// The admin layer's request/response values: handlers are pure functions from one to the other, and
// the node:http adapter (admin-server.ts) is the only code that touches sockets.

export interface AdminRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  body: string;
  /** Lower-cased media type of the body without parameters ('' when absent). */
  contentType: string;
}

export type ContentKind = 'text' | 'json' | 'html';

export interface AdminResponse {
  status: number;
  body: string;
  contentType: ContentKind;
  /** Runs once the response has been written (POST /quitquitquit). */
  afterSend?: () => void;
}

export function textResponse(body: string, status = 200): AdminResponse {
  return { status, body, contentType: 'text' };
}

export function jsonResponse(body: string, status = 200): AdminResponse {
  return { status, body, contentType: 'json' };
}
