// Guarded shifts (shared/api/guarded-shift.ts): the route's shift, kept current by the server's
// `guarded-shift` events (GET /api/events/guarded-shifts) written into the query cache, and the
// start / pause / resume / abort writes. Errors are WeightChangeErrors, so the weight editor's
// ApplyError tells what to do (reload on 409, fix the field on 400, give the token on 401/403).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import {
  type GuardedShift,
  GuardedShiftSchema,
  type GuardedShiftStartInput,
} from '../../../shared/api/guarded-shift.ts';
import { routesKey } from './routes-client.ts';
import { WeightChangeError } from './weights-client.ts';
import { authHeaders } from './write-token.ts';

export const guardedShiftKeys = {
  all: ['guarded-shift'] as const,
  of: (routeId: string) => ['guarded-shift', routeId] as const,
};

const shiftUrl = (routeId: string, suffix = '') =>
  `/api/routes/${encodeURIComponent(routeId)}/guarded-shift${suffix}`;

async function errorOf(res: Response, what: string): Promise<WeightChangeError> {
  const body: unknown = await res.json().catch(() => undefined);
  const err = ApiErrorSchema.safeParse(body);
  if (err.success) {
    const { code, message, field } = err.data.error;
    return new WeightChangeError(res.status, code, message, field);
  }
  return new WeightChangeError(res.status, 'http_error', `${what}: HTTP ${res.status}`);
}

/** The route's shift (the active one, else the last); null when it never had one. */
export async function getGuardedShift(routeId: string): Promise<GuardedShift | null> {
  const res = await fetch(shiftUrl(routeId));
  if (res.status === 404) return null;
  if (!res.ok) throw await errorOf(res, 'GET guarded shift');
  return GuardedShiftSchema.parse(await res.json());
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GuardedShift> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(), ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res, `POST ${url}`);
  return GuardedShiftSchema.parse(await res.json());
}

export interface StartGuardedShift {
  routeId: string;
  /** The route version the plan was made from (If-Match). */
  version: string;
  request: GuardedShiftStartInput;
}

export function startGuardedShift({ routeId, version, request }: StartGuardedShift): Promise<GuardedShift> {
  return post(shiftUrl(routeId), request, { 'if-match': version });
}

export type ShiftAction = 'pause' | 'resume' | 'abort';

export function actOnGuardedShift(
  routeId: string,
  action: ShiftAction,
  reason?: string,
): Promise<GuardedShift> {
  return post(shiftUrl(routeId, `/${action}`), reason ? { reason } : {});
}

export function useGuardedShift(routeId: string) {
  return useQuery({ queryKey: guardedShiftKeys.of(routeId), queryFn: () => getGuardedShift(routeId) });
}

function useShiftMutation<V>(fn: (v: V) => Promise<GuardedShift>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (shift) => {
      qc.setQueryData(guardedShiftKeys.of(shift.routeId), shift);
      void qc.invalidateQueries({ queryKey: routesKey });
    },
  });
}

export function useStartGuardedShift() {
  return useShiftMutation(startGuardedShift);
}

export function useGuardedShiftAction(routeId: string) {
  return useShiftMutation((v: { action: ShiftAction; reason?: string }) =>
    actOnGuardedShift(routeId, v.action, v.reason),
  );
}

/**
 * While mounted: every `guarded-shift` event replaces the cached shift of its route, and a change of
 * state (a step applied, a rollback) refreshes the routes, whose weights just moved. EventSource
 * reconnects on its own; the query's own fetch covers the gap.
 */
export function useGuardedShiftEvents(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const es = new EventSource('/api/events/guarded-shifts');
    es.addEventListener('guarded-shift', (ev: MessageEvent<string>) => {
      let body: unknown;
      try {
        body = JSON.parse(ev.data);
      } catch {
        return;
      }
      const parsed = GuardedShiftSchema.safeParse(body);
      if (!parsed.success) return;
      const key = guardedShiftKeys.of(parsed.data.routeId);
      const before = qc.getQueryData<GuardedShift | null>(key);
      // Events of an older shift of the route do not replace a newer one.
      if (before && before.id !== parsed.data.id && before.startedAt > parsed.data.startedAt) return;
      qc.setQueryData(key, parsed.data);
      if (before?.currentStep !== parsed.data.currentStep || before?.state !== parsed.data.state) {
        void qc.invalidateQueries({ queryKey: routesKey });
      }
    });
    return () => es.close();
  }, [qc]);
}
