// Weight changes: PUT /api/routes/:id/weights with If-Match: <route version> (shared/api/weights.ts).
// Success refreshes the routes and the graph, whose configured weights just changed.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import {
  type WeightChangeRequest,
  type WeightChangeResult,
  WeightChangeResultSchema,
} from '../../../shared/api/weights.ts';
import { ApiRequestError } from './fetch-json.ts';
import { routesKey } from './routes-client.ts';
import { authHeaders } from './write-token.ts';

/** An API error on a weight change, with the offending field of a 400. */
export class WeightChangeError extends ApiRequestError {
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(status, code, message);
    this.field = field;
  }
}

export interface ApplyWeights {
  routeId: string;
  /** The version the change is based on; a different current version is a 409. */
  version: string;
  request: WeightChangeRequest;
}

export async function putWeights({ routeId, version, request }: ApplyWeights): Promise<WeightChangeResult> {
  const res = await fetch(`/api/routes/${encodeURIComponent(routeId)}/weights`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'if-match': version, ...authHeaders() },
    body: JSON.stringify(request),
  });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = ApiErrorSchema.safeParse(body);
    if (err.success) {
      const { code, message, field } = err.data.error;
      throw new WeightChangeError(res.status, code, message, field);
    }
    throw new WeightChangeError(res.status, 'http_error', `PUT weights: HTTP ${res.status}`);
  }
  return WeightChangeResultSchema.parse(body);
}

export function useApplyWeights() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: putWeights,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: routesKey });
      void qc.invalidateQueries({ queryKey: ['graph'] });
    },
  });
}
