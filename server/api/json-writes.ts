// What the routers that write (weights-router.ts, guarded-shift-router.ts) share: the route id of a
// `/routes/*id/...` path, the writer check before a body is read, the JSON body parser and its errors
// as ApiErrors, and a ServiceResult as the answer.
import express, { type NextFunction, type Request, type Response } from 'express';
import { sendError } from './api-error.ts';
import type { ServiceResult } from './dashboard-core.ts';

/** Route ids contain `/` (server/graph/graph-ids.ts): `*id` matches them as segments, joined back. */
export function routeIdOf(req: Request): string {
  const id = req.params['id'] as string | string[] | undefined;
  return Array.isArray(id) ? id.join('/') : (id ?? '');
}

/** Who the write gate authorized (see requireWriter). */
export function whoOf(res: Response): string {
  return String(res.locals['who']);
}

/** Refuses a write nobody was authorized for, or whose body is not JSON, before the body is read. */
export function requireWriter(req: Request, res: Response, next: NextFunction) {
  // Authorized by the write gate (write-gate.ts), which createApp mounts before every router; a
  // router mounted without it writes for nobody.
  if (typeof res.locals['who'] !== 'string') {
    return sendError(res, 403, 'forbidden', 'writes are not authorized on this server');
  }
  if (!req.is('application/json')) {
    return sendError(
      res,
      415,
      'unsupported_media_type',
      'the body must be JSON (Content-Type: application/json)',
    );
  }
  next();
}

/** Not `strict`: a body that is JSON but not an object gets the validator's message, naming what came. */
export function jsonBody(limit: string) {
  return express.json({ limit, strict: false });
}

/** Errors of the body parser (and anything thrown before) as ApiErrors, never Express's HTML page. */
export function jsonBodyErrors(limit: string) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      return sendError(res, 413, 'payload_too_large', `the body exceeds ${limit}`);
    }
    if (type === 'entity.parse.failed') {
      return sendError(res, 400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
    }
    sendError(res, 500, 'internal', err instanceof Error ? err.message : String(err));
  };
}

/** The value with `status` (and its version as ETag), or the failure as an ApiError. */
export function sendResult<T>(
  res: Response,
  result: ServiceResult<T>,
  opts: { status?: number; etag?: (v: T) => string } = {},
): void {
  if (!result.ok) {
    const { status, code, message, field } = result.error;
    sendError(res, status, code, message, field);
    return;
  }
  if (opts.etag !== undefined) res.set('etag', `"${opts.etag(result.value)}"`);
  res.status(opts.status ?? 200).json(result.value);
}
