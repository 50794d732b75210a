// The guarded shift routes over real sockets, mounted by createApp: the same write authorization as
// weight changes (bearer token when one is configured, before the body is read), JSON-only writes,
// route ids with slashes, and errors as ApiErrors. The service behind it records its calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceResult } from '../../../server/api/dashboard-core.ts';
import { createApp } from '../../../server/app.ts';
import type { GuardedShiftService } from '../../../server/weights/guarded-shift-runner.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import { type GuardedShift, GuardedShiftThresholdsSchema } from '../../../shared/api/guarded-shift.ts';
import { appServers, bearerWrites, inertCore } from '../../support/api-harness.ts';

const ROUTE = 'default/frontend/listener_0/local_route/backend/0';
const shift: GuardedShift = {
  id: 'gs-1',
  routeId: ROUTE,
  canary: 'b',
  baseline: ['a'],
  state: 'running',
  startedAt: 1,
  updatedAt: 1,
  startedBy: 'ci',
  stepPercent: 50,
  intervalSeconds: 30,
  thresholds: GuardedShiftThresholdsSchema.parse({}),
  startWeights: { a: 100, b: 0 },
  targetWeights: { a: 0, b: 100 },
  steps: [
    { a: 50, b: 50 },
    { a: 0, b: 100 },
  ],
  currentStep: 1,
  currentWeights: { a: 50, b: 50 },
  stepStartedAt: 1,
  pending: null,
  lastAuditId: 'x',
  lastDecision: null,
  decisions: [],
  events: [],
  stoppedWhy: null,
};
const calls: unknown[][] = [];
const service: GuardedShiftService = {
  async start(routeId, body, ifMatch, who): Promise<ServiceResult<GuardedShift>> {
    calls.push(['start', routeId, body, ifMatch, who]);
    return { ok: true, value: shift };
  },
  get(routeId) {
    calls.push(['get', routeId]);
    return routeId === ROUTE
      ? { ok: true, value: shift }
      : { ok: false, error: { status: 404, code: 'not_found', message: 'no shift' } };
  },
  list: () => [shift],
  async act(routeId, action, reason, who) {
    calls.push([action, routeId, reason, who]);
    return { ok: true, value: { ...shift, state: action === 'pause' ? 'paused' : 'running' } };
  },
  onChange: () => () => {},
};
const core = inertCore();
const servers = appServers();
// `open`: a server whose token the helpers send unless told otherwise; `withToken`: one they don't.
const UI = { authorization: 'Bearer UI-T0KEN' };
let open = '';
let withToken = '';
beforeAll(async () => {
  open = await servers.serve(
    createApp(core, { guardedShifts: service, writes: bearerWrites('ui', 'UI-T0KEN') }),
  );
  withToken = await servers.serve(
    createApp(core, { guardedShifts: service, writes: bearerWrites('ci', 'T0KEN') }),
  );
});
afterAll(() => servers.closeAll());
beforeEach(() => {
  calls.length = 0;
});

const post = (base: string, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/routes/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(base === open && UI), ...headers },
    body,
  });

describe('guarded shift routes', () => {
  it('start: raw or encoded route ids, If-Match and the writer passed through, 201', async () => {
    const res = await post(open, `${ROUTE}/guarded-shift`, '{"canary":"b"}', { 'if-match': '"v1"' });
    expect(res.status).toBe(201);
    expect(calls).toEqual([['start', ROUTE, { canary: 'b' }, '"v1"', 'ui']]);
    const enc = await post(open, `${encodeURIComponent(ROUTE)}/guarded-shift/pause`, '{"reason":"r"}');
    expect(enc.status).toBe(200);
    expect(calls[1]).toEqual(['pause', ROUTE, 'r', 'ui']);
  });

  it('reads need no token; GET of an unknown route is a 404 ApiError', async () => {
    expect((await fetch(`${withToken}/api/guarded-shifts`)).status).toBe(200);
    expect((await fetch(`${withToken}/api/routes/${ROUTE}/guarded-shift`)).status).toBe(200);
    const missing = await fetch(`${open}/api/routes/x/y/guarded-shift`);
    expect(missing.status).toBe(404);
    expect(ApiErrorSchema.parse(await missing.json()).error.code).toBe('not_found');
  });

  it('writes need the bearer token when one is configured (401 without, 403 wrong), nothing called', async () => {
    const none = await post(withToken, `${ROUTE}/guarded-shift`, '{}');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await post(withToken, `${ROUTE}/guarded-shift/abort`, '{}', {
      authorization: 'Bearer nope',
    });
    expect(wrong.status).toBe(403);
    expect(calls).toEqual([]);
    const ok = await post(withToken, `${ROUTE}/guarded-shift/abort`, '{}', { authorization: 'Bearer T0KEN' });
    expect(ok.status).toBe(200);
    expect(calls).toEqual([['abort', ROUTE, undefined, 'ci']]);
  });

  it('refuses non-JSON (415), bad JSON (400) and unknown action fields (400), nothing called', async () => {
    const form = await fetch(`${open}/api/routes/${ROUTE}/guarded-shift/abort`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...UI },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect((await post(open, `${ROUTE}/guarded-shift`, '{')).status).toBe(400);
    const extra = await post(open, `${ROUTE}/guarded-shift/pause`, '{"force":true}');
    expect(extra.status).toBe(400);
    expect(ApiErrorSchema.parse(await extra.json()).error.code).toBe('invalid_action');
    expect(calls).toEqual([]);
  });
});
