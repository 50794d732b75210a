import type { ServiceResult } from '../api/dashboard-core.ts';

export type Failure = Extract<ServiceResult<never>, { ok: false }>['error'];

/** An API error answer: status, code, message and the offending field. */
export function failure<T>(status: number, code: string, message: string, field?: string): ServiceResult<T> {
  return { ok: false, error: { status, code, message, ...(field !== undefined && { field }) } };
}
