// Security of writes with the real bin/meshscope over a targets file and a real proxy (issue 5):
// with neither --token-file nor MESHSCOPE_TOKEN a token is generated, kept 0600 in the data dir,
// printed, accepted, and the same after a restart; no or a malformed Authorization is a 401, a wrong
// token a 403; --read-only refuses every write route the app has (walked from its router, so a new one
// cannot be forgotten) and stops reconciliation; a burst of PUTs gets 429s that change nothing.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { DashboardCore } from '../../../server/api/dashboard-core.ts';
import { createApp } from '../../../server/app.ts';
import type { GuardedShiftService } from '../../../server/weights/guarded-shift-runner.ts';
import { DashboardConfigSchema } from '../../../shared/api/config.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import { RouteHistorySchema, WeightChangeResultSchema } from '../../../shared/api/weights.ts';
import {
  type DashboardProcess,
  GENERATED_TOKEN_LINE,
  startDashboard,
  until,
} from '../../support/dashboard-process.ts';
import { type ProxyProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';
import { concretePath, writeRoutesOf } from '../../support/write-routes.ts';
import { route, routes, runtimeOf, webSplitBootstrap } from '../weights/weights-harness.ts';

const PREFIX = 'routing.split.web';
let dir = '';
let targets = '';
let replica: ProxyProcess;
let routeId = '';
const running: DashboardProcess[] = [];

/** bin/meshscope on the targets, its audit log and data dir in `dir`, scraping every 0.5 s. */
async function dashboard(extra: string[] = []): Promise<DashboardProcess> {
  const d = await startDashboard(
    [
      '--targets',
      targets,
      '--audit-file',
      join(dir, 'audit.jsonl'),
      '--data-dir',
      join(dir, 'state'),
      '--scrape-interval',
      '0.5',
      '--window',
      '10',
      ...extra,
    ],
    30_000,
    { token: 'generated' },
  );
  running.push(d);
  await until(
    'the weighted route',
    () => routes(d.base),
    (rs) => rs.some((r) => r.replicas.length === 1 && r.clusters.length === 2),
    20_000,
    () => d.stderr,
  );
  return d;
}

const split = async () => {
  const rt = await runtimeOf(replica.adminUrl);
  return [rt[`${PREFIX}.web_v1`], rt[`${PREFIX}.web_v2`]];
};

function put(
  d: DashboardProcess,
  weights: Record<string, number>,
  version: string,
  headers = d.writeHeaders,
) {
  return fetch(`${d.base}/api/routes/${encodeURIComponent(routeId)}/weights`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'if-match': version, ...headers },
    body: JSON.stringify({ weights, reason: 'write-security test' }),
  });
}

async function history(d: DashboardProcess) {
  const res = await fetch(`${d.base}/api/routes/${encodeURIComponent(routeId)}/history`);
  return RouteHistorySchema.parse(await res.json()).entries;
}

beforeAll(async () => {
  const [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  replica = await startProxy(webSplitBootstrap(v1.port, v2.port, { prefix: PREFIX }));
  dir = mkdtempSync(join(tmpdir(), 'meshscope-write-security-'));
  targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({ targets: [{ workload: 'web', kind: 'meshscope-proxy', admin: [replica.adminUrl] }] }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((d) => d.stop()));
  await stopAll();
});

describe('a generated write token', () => {
  let token = '';

  it('is printed with how to use it, kept 0600 in the data dir, and accepted', async () => {
    const d = await dashboard();
    const m = GENERATED_TOKEN_LINE.exec(d.stdout);
    expect(m, d.stdout).not.toBeNull();
    const [, file, printed] = m!;
    expect(file).toBe(join(dir, 'state', 'write-token'));
    token = printed!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(readFileSync(file!, 'utf8').trim()).toBe(token);
    expect(d.stdout).toContain(`Authorization: Bearer ${token}`);
    expect(d.stdout).toContain(`${d.base}/#token=${token}`);
    // Printed once.
    expect(d.stdout.split(token).length - 1).toBe(3);

    const r = (await routes(d.base)).find((x) => x.clusters.length === 2)!;
    routeId = r.id;
    const res = await put(d, { web_v1: 50, web_v2: 50 }, r.version, { authorization: `Bearer ${token}` });
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(WeightChangeResultSchema.parse(body).to).toEqual({ web_v1: 50, web_v2: 50 });
    expect(await split()).toEqual(['50', '50']);
    expect((await history(d))[0]?.who).toBe('token');
  });

  it('answers 401 without or with a malformed Authorization, 403 with a wrong token, changing nothing', async () => {
    const d = running.at(-1)!;
    const r = (await route(d.base, routeId))!;
    const before = (await history(d)).length;
    const none = await put(d, { web_v1: 10, web_v2: 90 }, r.version, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(ApiErrorSchema.parse(await none.json()).error.code).toBe('unauthorized');
    for (const authorization of [token, `Basic ${token}`, `Bearer ${token} extra`]) {
      expect((await put(d, { web_v1: 10, web_v2: 90 }, r.version, { authorization })).status).toBe(401);
    }
    const wrong = await put(d, { web_v1: 10, web_v2: 90 }, r.version, {
      authorization: `Bearer ${token.slice(0, -1)}x`,
    });
    expect(wrong.status).toBe(403);
    expect(ApiErrorSchema.parse(await wrong.json()).error.code).toBe('forbidden');
    expect(await split()).toEqual(['50', '50']);
    expect((await history(d)).length).toBe(before);
  });

  it('is the same after a restart, printed again', async () => {
    await running.pop()!.stop();
    const d = await dashboard();
    expect(GENERATED_TOKEN_LINE.exec(d.stdout)?.[2]).toBe(token);
    expect(d.token).toBe(token);
    await d.stop();
    running.pop();
  });
});

describe('--read-only', () => {
  it('refuses every write route the app has with 403 read_only, says so in /api/config, and repairs nothing', async () => {
    const d = await dashboard(['--read-only']);
    expect(d.stdout).not.toMatch(GENERATED_TOKEN_LINE);
    const config = DashboardConfigSchema.parse(await (await fetch(`${d.base}/api/config`)).json());
    expect(config.readOnly).toBe(true);

    // Every write route of an app with every router mounted (the services are never called).
    const app = createApp({ weights: {}, alerts: {} } as unknown as DashboardCore, {
      guardedShifts: {} as GuardedShiftService,
    });
    const writes = writeRoutesOf(app);
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual(
      expect.arrayContaining([
        'PUT /api/routes/*id/weights',
        'POST /api/routes/*id/revert',
        'POST /api/routes/*id/convert-to-runtime',
        'POST /api/workloads/:namespace/:name/restart',
        'POST /api/routes/*id/guarded-shift',
        'POST /api/routes/*id/guarded-shift/pause',
        'POST /api/routes/*id/guarded-shift/resume',
        'POST /api/routes/*id/guarded-shift/abort',
      ]),
    );
    const token = readFileSync(join(dir, 'state', 'write-token'), 'utf8').trim();
    const before = (await history(d)).length;
    // And methods or paths no route has: the gate goes by method, not by a list.
    const probes = [
      ...writes,
      { method: 'DELETE', path: '/api/routes/*id/weights' },
      { method: 'PATCH', path: '/api/config' },
      { method: 'POST', path: '/api/somewhere-new' },
    ];
    for (const w of probes) {
      const path = concretePath(w.path, {
        id: encodeURIComponent(routeId),
        namespace: 'default',
        name: 'web',
      });
      const res = await fetch(`${d.base}${path}`, {
        method: w.method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'if-match': 'x' },
        body: '{"weights":{"web_v1":0,"web_v2":100},"canary":"web_v2"}',
      });
      expect(res.status, `${w.method} ${path}`).toBe(403);
      const err = ApiErrorSchema.parse(await res.json()).error;
      expect(err.code).toBe('read_only');
      expect(err.message).toMatch(/--read-only/);
    }
    expect((await history(d)).length).toBe(before);

    // Reconciliation repairs are writes: a replica edited by hand stays edited, its drift shown.
    const edited = await fetch(`${replica.adminUrl}/runtime_modify?${PREFIX}.web_v1=90&${PREFIX}.web_v2=10`, {
      method: 'POST',
    });
    expect(edited.status).toBe(200);
    await until(
      'the drift shown',
      () => route(d.base, routeId),
      (r) => r?.drift === true,
      10_000,
      () => d.stderr,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await split()).toEqual(['90', '10']);
    await d.stop();
    running.pop();
  });

  it('once writes are back, reconciliation repairs the replica', async () => {
    const d = await dashboard();
    await until(
      'the replica repaired',
      split,
      (s) => s[0] === '50' && s[1] === '50',
      10_000,
      () => d.stderr,
    );
  });
});

describe('the write rate limit', () => {
  it('answers a burst of PUTs past 10 with 429 and Retry-After; the refused ones change nothing', async () => {
    const d = running.at(-1)!;
    const r = (await route(d.base, routeId))!;
    const before = (await history(d)).length;
    // All at once with the same version: one applies, the others are stale (409) or refused (429).
    const sent = Array.from({ length: 16 }, (_, i) => ({ web_v1: 20 + i, web_v2: 80 - i }));
    const answers = await Promise.all(sent.map((w) => put(d, w, r.version)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 429)).toBe(true);
    // 10 in the burst; at 1 a second hardly another before the last one arrives.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
    const limited = answers.find((a) => a.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(ApiErrorSchema.parse(await limited.json()).error.code).toBe('rate_limited');

    const applied = sent[statuses.indexOf(200)]!;
    expect(await split()).toEqual([String(applied.web_v1), String(applied.web_v2)]);
    const entries = await history(d);
    expect(entries.length).toBe(before + 1);
    expect(entries[0]?.to).toEqual(applied);
    expect((await route(d.base, routeId))?.desiredWeights).toEqual(applied);
  });
});
