// The ClusterRole in k8s/base against what meshscope really asks the API server for: the simulated-
// cluster suites (every integration test file that starts a SimulatedCluster or a FakeKubeApiServer,
// apart from the fake's own fidelity tests and this folder) run in a child vitest with
// FAKE_KUBE_REQUEST_LOG set, so every fake they start logs every request. Each request meshscope made
// must be allowed by the role (or by the default discovery roles); each thing the role grants must
// have been exercised, or be listed in rbac-allow-list.ts with the feature it is for.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../../support/fake-kube-apiserver.ts';
import { find, REPO_ROOT, renderKustomization } from '../../support/k8s-manifests.ts';
import {
  DEFAULT_NON_RESOURCE_RULES,
  type Grant,
  grantKey,
  grantsOf,
  type PolicyRule,
  rulesAllow,
} from '../../support/rbac/rbac-rules.ts';
import { type RequestAttributes, requestAttributes } from '../../support/rbac/request-attributes.ts';
import { RBAC_ALLOW_LIST } from './rbac-allow-list.ts';

const INTEGRATION = join(REPO_ROOT, 'test', 'integration');

/** The suites that drive meshscope against a fake API server. */
function simulatedClusterSuites(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        // support/: the fake's fidelity tests drive kubectl and client-node themselves, not meshscope;
        // k8s/: this test, and kubectl's server-side apply.
        if (path !== join(INTEGRATION, 'support') && path !== join(INTEGRATION, 'k8s')) walk(path);
      } else if (e.name.endsWith('.test.ts')) {
        if (
          /\b(SimulatedCluster|FakeKubeApiServer|startFakeKubeApiServer)\b/.test(readFileSync(path, 'utf8'))
        )
          out.push(relative(REPO_ROOT, path));
      }
    }
  };
  walk(INTEGRATION);
  return out.sort();
}

const dir = mkdtempSync(join(tmpdir(), 'meshscope-rbac-'));
const logFile = join(dir, 'requests.jsonl');
let suites: string[] = [];
let requests: { request: LoggedRequest; attributes: RequestAttributes }[] = [];
let rules: PolicyRule[] = [];
let child: { code: number | null; output: string } = { code: null, output: '' };

beforeAll(async () => {
  suites = simulatedClusterSuites();
  const role = find((await renderKustomization('base')).objects, 'ClusterRole', 'meshscope') as unknown as {
    rules: PolicyRule[];
  };
  rules = role.rules;
  const vitest = join(REPO_ROOT, 'node_modules', '.bin', 'vitest');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    // One retry: these suites share the machine with the rest of the run; a test that fails twice
    // still fails this one.
    const child = spawn(vitest, ['run', '--project', 'integration', '--retry=1', ...suites], {
      cwd: REPO_ROOT,
      env: { ...process.env, FAKE_KUBE_REQUEST_LOG: logFile, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (c) => resolve({ code: c, output }));
  });
  child = { code, output };
  requests = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LoggedRequest)
    // Tests that drive kubectl themselves are not meshscope.
    .filter((r) => !(r.userAgent ?? '').startsWith('kubectl/'))
    .map((request) => ({ request, attributes: requestAttributes(request.method, request.url) }));
}, 900_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const describeRequest = (r: LoggedRequest, a: RequestAttributes) =>
  a.kind === 'resource'
    ? `${a.verb} ${a.apiGroup || 'core'}/${a.resource} (${r.method} ${r.url})`
    : `${a.verb} ${a.path} (non-resource)`;

describe('the ClusterRole against the requests of the simulated-cluster suites', () => {
  it('ran the suites that start a fake API server, and they asked for something', () => {
    // A failing suite stops short of requests it would have made: what follows judges the rest.
    const failed = child.output.split('\n').filter((l) => / FAIL /.test(l));
    expect(child.code, `the simulated-cluster suites failed:\n${failed.join('\n')}`).toBe(0);
    expect(suites).toContain('test/integration/server/dashboard-kubernetes.test.ts');
    expect(suites).toContain('test/integration/weights/weights-kubernetes.test.ts');
    expect(requests.length).toBeGreaterThan(100);
    // The informers' list and watch of every discovery resource at least.
    const seen = new Set(requests.map(({ attributes: a }) => (a.kind === 'resource' ? grantKey(a) : '')));
    for (const r of ['core/pods', 'core/services', 'discovery.k8s.io/endpointslices', 'apps/replicasets']) {
      expect(seen).toContain(`list ${r}`);
      expect(seen).toContain(`watch ${r}`);
    }
  });

  it('allows every request meshscope made', () => {
    const denied = new Set<string>();
    for (const { request, attributes } of requests) {
      const allowed =
        attributes.kind === 'resource'
          ? rulesAllow(rules, attributes)
          : rulesAllow(DEFAULT_NON_RESOURCE_RULES, attributes);
      if (!allowed) denied.add(describeRequest(request, attributes));
    }
    expect([...denied]).toEqual([]);
  });

  it('grants nothing that is neither exercised nor in the allow-list', () => {
    const exercised = requests
      .map(({ attributes: a }) => a)
      .filter((a): a is Extract<RequestAttributes, { kind: 'resource' }> => a.kind === 'resource');
    const granted = grantsOf(rules);
    const isExercised = (g: Grant) =>
      exercised.some((a) =>
        rulesAllow([{ apiGroups: [g.apiGroup], resources: [g.resource], verbs: [g.verb] }], a),
      );
    const listed = new Set(RBAC_ALLOW_LIST.map(grantKey));
    const unexplained = granted.filter((g) => !isExercised(g) && !listed.has(grantKey(g))).map(grantKey);
    expect(unexplained, 'granted, never requested, and not in rbac-allow-list.ts').toEqual([]);

    const grantedKeys = new Set(granted.map(grantKey));
    const stale = RBAC_ALLOW_LIST.filter((e) => !grantedKeys.has(grantKey(e))).map(grantKey);
    expect(stale, 'in rbac-allow-list.ts but not granted by the ClusterRole').toEqual([]);
    // No wildcard: "exactly the verbs used" cannot be checked against `*`.
    expect(granted.filter((g) => [g.apiGroup, g.resource, g.verb].includes('*'))).toEqual([]);

    const nowExercised = RBAC_ALLOW_LIST.filter(isExercised).map(grantKey);
    if (nowExercised.length > 0) {
      console.info(`rbac-allow-list.ts entries now exercised (remove them): ${nowExercised.join(', ')}`);
    }
  });
});
