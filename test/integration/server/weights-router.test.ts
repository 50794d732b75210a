// The weights routes over real sockets, mounted by createApp: route ids with slashes (raw or
// percent-encoded), authorization before the body is read, JSON-only bodies with a size limit, and
// every error as an ApiError (never Express's HTML page). The service behind it records its calls.
// `open` is a server whose token the helpers send unless told otherwise; `withToken` one they don't.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceResult, WeightsService } from '../../../server/api/dashboard-core.ts';
import { WriteRateLimiter } from '../../../server/api/write-rate-limiter.ts';
import { createApp } from '../../../server/app.ts';
import { DashboardConfigSchema } from '../../../shared/api/config.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import type { WeightChangeResult } from '../../../shared/api/weights.ts';
import { appServers, bearerWrites, inertCore } from '../../support/api-harness.ts';

const ROUTE = 'default/frontend/listener_0/local_route/backend/0';
const calls: { op: string; routeId: string; body?: unknown; ifMatch?: string | undefined; who?: string }[] =
  [];
const result: WeightChangeResult = {
  routeId: ROUTE,
  version: 'wNEW',
  from: { a: 80, b: 20 },
  to: { a: 50, b: 50 },
  strategy: 'runtime',
  replicas: [],
  auditId: 'x',
};
const weights: WeightsService = {
  async change(routeId, body, ifMatch, who): Promise<ServiceResult<WeightChangeResult>> {
    calls.push({ op: 'change', routeId, body, ifMatch, who });
    if (routeId !== ROUTE)
      return { ok: false, error: { status: 404, code: 'not_found', message: 'no route' } };
    return { ok: true, value: result };
  },
  async revert(routeId, body, ifMatch, who) {
    calls.push({ op: 'revert', routeId, body, ifMatch, who });
    return { ok: false, error: { status: 409, code: 'version_conflict', message: 'stale', field: 'x' } };
  },
  history(routeId) {
    calls.push({ op: 'history', routeId });
    return { ok: true, value: { routeId, entries: [] } };
  },
};
const core = inertCore({ weights });
const servers = appServers();
const UI = { authorization: 'Bearer UI-T0KEN' };
let open = '';
let withToken = '';
let readOnly = '';
let noWrites = '';
beforeAll(async () => {
  open = await servers.serve(createApp(core, { writes: bearerWrites('ui', 'UI-T0KEN') }));
  withToken = await servers.serve(createApp(core, { writes: bearerWrites('ci', 'T0KEN') }));
  readOnly = await servers.serve(
    createApp(core, { writes: bearerWrites('ci', 'T0KEN', { readOnly: true }) }),
  );
  noWrites = await servers.serve(createApp(core));
});
afterAll(() => servers.closeAll());
beforeEach(() => {
  calls.length = 0;
});

const put = (base: string, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/routes/${path}/weights`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'if-match': '"v1"', ...(base === open && UI), ...headers },
    body,
  });
const apiError = async (r: Response) => ApiErrorSchema.parse(await r.json()).error;

describe('PUT /api/routes/:id/weights', () => {
  it('takes the id raw or percent-encoded, passes body, If-Match and who, and answers the result with an ETag', async () => {
    for (const path of [ROUTE, encodeURIComponent(ROUTE)]) {
      const r = await put(open, path, '{"weights":{"a":50,"b":50}}');
      expect(r.status).toBe(200);
      expect(r.headers.get('etag')).toBe('"wNEW"');
      expect(await r.json()).toEqual(result);
    }
    expect(calls).toEqual([
      { op: 'change', routeId: ROUTE, body: { weights: { a: 50, b: 50 } }, ifMatch: '"v1"', who: 'ui' },
      { op: 'change', routeId: ROUTE, body: { weights: { a: 50, b: 50 } }, ifMatch: '"v1"', who: 'ui' },
    ]);
  });

  it('answers the service’s errors as ApiErrors with their status and field', async () => {
    const r = await put(open, 'default/nope/0', '{}');
    expect(r.status).toBe(404);
    expect(await apiError(r)).toEqual({ code: 'not_found', message: 'no route' });
    const rv = await fetch(`${open}/api/routes/${ROUTE}/revert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...UI },
      body: '{"auditId":"x"}',
    });
    expect(rv.status).toBe(409);
    expect(await apiError(rv)).toMatchObject({ code: 'version_conflict', field: 'x' });
  });

  it('refuses a body that is too large (413), not JSON (400), or not declared JSON (415), as JSON errors', async () => {
    const big = await put(open, ROUTE, JSON.stringify({ weights: { a: 100 }, reason: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/application\/json/);
    expect((await apiError(big)).code).toBe('payload_too_large');
    const broken = await put(open, ROUTE, '{"weights":');
    expect(broken.status).toBe(400);
    expect((await apiError(broken)).code).toBe('invalid_json');
    const form = await put(open, ROUTE, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(calls).toEqual([]);
  });

  it('with a token: 401 without it (WWW-Authenticate), 403 when wrong, the subject as who when right', async () => {
    const none = await put(withToken, ROUTE, '{}');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await put(withToken, ROUTE, '{}', { authorization: 'Bearer wrong' })).status).toBe(403);
    // Authorization comes first: a huge body from someone without the token is never read.
    const big = await put(withToken, ROUTE, 'x'.repeat(100_000), { authorization: 'Bearer wrong' });
    expect(big.status).toBe(403);
    expect(calls).toEqual([]);
    expect((await put(withToken, ROUTE, '{}', { authorization: 'Bearer T0KEN' })).status).toBe(200);
    expect(calls[0]?.who).toBe('ci');
  });

  it('refuses every write with --read-only (403 read_only, even with the token) and says so in /api/config', async () => {
    const r = await put(readOnly, ROUTE, '{"weights":{"a":50,"b":50}}', { authorization: 'Bearer T0KEN' });
    expect(r.status).toBe(403);
    expect(await apiError(r)).toMatchObject({
      code: 'read_only',
      message: expect.stringMatching(/--read-only/),
    });
    expect(calls).toEqual([]);
    const config = DashboardConfigSchema.parse(await (await fetch(`${readOnly}/api/config`)).json());
    expect(config).toEqual({ readOnly: true, writeAuth: 'bearer', writeRateLimit: null });
    expect(DashboardConfigSchema.parse(await (await fetch(`${open}/api/config`)).json()).readOnly).toBe(
      false,
    );
  });

  it('limits writes per client: 429 with Retry-After past the burst; malformed ones are given back', async () => {
    const limited = await servers.serve(
      createApp(core, {
        writes: bearerWrites('ci', 'T0KEN', {
          limiter: new WriteRateLimiter({ burst: 2, perSecond: 0.01 }),
        }),
      }),
    );
    const auth = { authorization: 'Bearer T0KEN' };
    // Malformed (400) and naming no route (404): nothing could change, so they do not count.
    for (let i = 0; i < 5; i++) expect((await put(limited, ROUTE, '{"weights":', auth)).status).toBe(400);
    expect((await put(limited, 'default/nope/0', '{}', auth)).status).toBe(404);
    expect((await put(limited, ROUTE, '{}', auth)).status).toBe(200);
    expect((await put(limited, ROUTE, '{}', auth)).status).toBe(200);
    const refused = await put(limited, ROUTE, '{}', auth);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await apiError(refused)).toMatchObject({ code: 'rate_limited' });
    // The refused one never reached the service; unauthorized attempts are not limited (401, not 429).
    expect(calls.filter((c) => c.routeId === ROUTE)).toHaveLength(2);
    expect((await put(limited, ROUTE, '{}')).status).toBe(401);
    const config = DashboardConfigSchema.parse(await (await fetch(`${limited}/api/config`)).json());
    expect(config.writeRateLimit).toEqual({ burst: 2, perSecond: 0.01 });
  });

  it('refuses every write when createApp is given no write access at all', async () => {
    expect((await put(noWrites, ROUTE, '{}', { authorization: 'Bearer T0KEN' })).status).toBe(403);
    expect(calls).toEqual([]);
  });
});

describe('reads', () => {
  it('GET history is open even with a token, and the other /api routes still answer', async () => {
    const r = await fetch(`${withToken}/api/routes/${encodeURIComponent(ROUTE)}/history`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ routeId: ROUTE, entries: [] });
    const routes = await fetch(`${withToken}/api/routes`);
    expect(await routes.json()).toEqual({ routes: [] });
    expect((await fetch(`${withToken}/api/routes/x/unknown`)).status).toBe(404);
  });
});
