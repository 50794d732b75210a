import type { Response } from 'express';
import type { ZodError } from 'zod';
import type { ApiError } from '../../shared/api/errors.ts';

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  field?: string,
): void {
  const body: ApiError = { error: { code, message, ...(field !== undefined ? { field } : {}) } };
  res.status(status).json(body);
}

/** A zod failure on request input as a 400 naming the first offending parameter. */
export function sendValidationError(res: Response, err: ZodError): void {
  const issue = err.issues[0]!;
  const field = issue.path.map(String).join('.');
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown parameter ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : `${field ? `'${field}' ` : ''}${issue.message}`;
  sendError(
    res,
    400,
    'invalid_parameter',
    message,
    field || (issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined),
  );
}
