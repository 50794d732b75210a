// Failures as the API server reports them: a meta/v1 `Status` body with the HTTP code, a machine
// reason (NotFound, AlreadyExists, Conflict, Expired, Gone…) and a message. Clients key off `code`
// and `reason` (client-node's informer restarts with a relist on code 410).

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

export function statusBody(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** The reason the API server gives for a bare HTTP code (used by `failNextWatch`). */
export function reasonOf(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Expired',
    415: 'UnsupportedMediaType',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
