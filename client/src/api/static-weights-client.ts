// The actions around a route whose weights live in a bootstrap (static strategy):
//   POST /api/routes/:id/convert-to-runtime (If-Match) → ConvertToRuntimeResult
//   POST /api/workloads/:namespace/:name/restart        → WorkloadRestartResult (a rollout restart)
// Both are writes: the bearer token goes along, as for weight changes.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import {
  type ConvertToRuntimeResult,
  ConvertToRuntimeResultSchema,
  type WorkloadRestartResult,
  WorkloadRestartResultSchema,
} from '../../../shared/api/weights.ts';
import { routesKey } from './routes-client.ts';
import { WeightChangeError } from './weights-client.ts';
import { authHeaders } from './write-token.ts';

async function post<T>(
  url: string,
  body: unknown,
  parse: (x: unknown) => T,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...authHeaders() },
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = ApiErrorSchema.safeParse(json);
    if (err.success) {
      const { code, message, field } = err.data.error;
      throw new WeightChangeError(res.status, code, message, field);
    }
    throw new WeightChangeError(res.status, 'http_error', `POST ${url}: HTTP ${res.status}`);
  }
  return parse(json);
}

export interface ConvertRoute {
  routeId: string;
  version: string;
  prefix: string | undefined;
}

export function convertToRuntime({
  routeId,
  version,
  prefix,
}: ConvertRoute): Promise<ConvertToRuntimeResult> {
  return post(
    `/api/routes/${encodeURIComponent(routeId)}/convert-to-runtime`,
    prefix === undefined ? {} : { prefix },
    (x) => ConvertToRuntimeResultSchema.parse(x),
    { 'if-match': version },
  );
}

export function restartWorkload(w: { namespace: string; name: string }): Promise<WorkloadRestartResult> {
  return post(
    `/api/workloads/${encodeURIComponent(w.namespace)}/${encodeURIComponent(w.name)}/restart`,
    {},
    (x) => WorkloadRestartResultSchema.parse(x),
  );
}

export function useConvertToRuntime() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: convertToRuntime,
    onSuccess: () => void qc.invalidateQueries({ queryKey: routesKey }),
  });
}

export function useRestartWorkload() {
  return useMutation({ mutationFn: restartWorkload });
}
