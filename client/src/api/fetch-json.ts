// fetch + zod: every response is checked against the contract in shared/ before the UI sees it, and
// API errors surface with the server's message.
import type { z } from 'zod';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function fetchJson<S extends z.ZodType>(
  url: string,
  schema: S,
  init?: RequestInit,
): Promise<z.infer<S>> {
  const res = await fetch(url, init);
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = ApiErrorSchema.safeParse(body);
    if (err.success) throw new ApiRequestError(res.status, err.data.error.code, err.data.error.message);
    throw new ApiRequestError(res.status, 'http_error', `${url}: HTTP ${res.status}`);
  }
  return schema.parse(body);
}
