// What the fake API server remembers of its requests: a bounded in-memory list for assertions, and with
// FAKE_KUBE_REQUEST_LOG=<file> in the environment a JSON line a request appended to that file, from
// every fake in every test process (how test/integration/k8s/rbac.test.ts sees what the dashboard
// asked for).
import { appendFileSync } from 'node:fs';
import type http from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** One line of the FAKE_KUBE_REQUEST_LOG file. */
export interface LoggedRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  userAgent: string | undefined;
}

const MAX_RECORDED = 2_000;

/** Appends `req` to `requests` (dropping the oldest beyond the bound) and to the log file if any. */
export function recordRequest(requests: RecordedRequest[], req: http.IncomingMessage): void {
  requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
  const log = process.env['FAKE_KUBE_REQUEST_LOG'];
  if (log) {
    const line: LoggedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'],
      userAgent: req.headers['user-agent'],
    };
    appendFileSync(log, `${JSON.stringify(line)}\n`);
  }
}
