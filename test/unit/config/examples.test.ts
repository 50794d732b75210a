// The example bootstraps under proxy/examples load, and mean what their comments say.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBootstrapFile } from '../../../proxy/config/load-bootstrap.ts';
import { formatValidateResult, validateFile } from '../../../proxy/config/validate-cli.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLES = join(ROOT, 'proxy/examples');

function isBootstrap(file: string): boolean {
  const doc = parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
  return 'static_resources' in doc || 'staticResources' in doc;
}

describe('proxy/examples', () => {
  const bootstraps = readdirSync(EXAMPLES)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .filter(isBootstrap);

  it('has bootstraps, all listening on 127.0.0.1 only', () => {
    expect(bootstraps).toEqual(
      expect.arrayContaining(['weighted-80-20.yaml', 'rds-from-file.yaml', 'minimal-camel-case.json']),
    );
    for (const file of bootstraps) {
      const b = loadBootstrapFile(join(EXAMPLES, file), { baseDir: ROOT });
      expect(b.listeners.length, file).toBeGreaterThan(0);
      for (const l of b.listeners) expect(l.address.address, file).toBe('127.0.0.1');
      expect(b.admin?.address.address, file).toBe('127.0.0.1');
    }
  });

  it("fault-delay-jason.yaml: the Istio lab's 7 s delay for jason, before the router", () => {
    const b = loadBootstrapFile(join(EXAMPLES, 'fault-delay-jason.yaml'));
    const [fault, router] = b.listeners[0]!.hcm.httpFilters;
    expect(router?.name).toBe('envoy.filters.http.router');
    expect(fault?.name === 'envoy.filters.http.fault' && fault.fault).toMatchObject({
      delay: { fixedDelayMs: 7_000, percentage: { numerator: 100, denominator: 100 } },
      headers: [{ name: 'end-user', match: { kind: 'exact', value: 'jason' } }],
    });
  });

  it('weighted-80-20.yaml: runtime-keyed 80/20 split with static, disk and admin layers', () => {
    const b = loadBootstrapFile(join(EXAMPLES, 'weighted-80-20.yaml'));
    const action = b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!.action;
    expect(action.kind === 'route' && action.weightedClusters).toEqual({
      clusters: [
        { name: 'backend_v1', weight: 80 },
        { name: 'backend_v2', weight: 20 },
      ],
      runtimeKeyPrefix: 'routing.traffic_split.backend',
    });
    expect(b.layeredRuntime.map((l) => l.kind)).toEqual(['static', 'disk', 'admin']);
    expect(b.layeredRuntime[0]).toMatchObject({
      values: { routing: { traffic_split: { backend: { backend_v1: 80, backend_v2: 20 } } } },
    });
    expect(b.node).toEqual({ id: 'frontend-sidecar', cluster: 'frontend' });
  });

  it('rds-from-file.yaml: routes come from rds-routes.yaml', () => {
    const b = loadBootstrapFile(join(EXAMPLES, 'rds-from-file.yaml'), { baseDir: ROOT });
    const hcm = b.listeners[0]!.hcm;
    expect(hcm.rdsPath).toBe(join(EXAMPLES, 'rds-routes.yaml'));
    const routes = hcm.routeConfig.virtualHosts[0]!.routes;
    expect(routes.map((r) => r.action.kind)).toEqual(['direct', 'route', 'route']);
    expect(routes[1]!.match.headers[0]!.name).toBe('x-canary');
    expect(routes[1]!.action).toMatchObject({ cluster: 'backend_v2', timeoutMs: 5_000 });
  });
});

describe('validateFile', () => {
  it('reports OK like Envoy --mode validate', () => {
    const path = join(EXAMPLES, 'minimal-camel-case.json');
    const result = validateFile(path);
    expect(result.ok).toBe(true);
    expect(formatValidateResult(result)).toBe(`configuration '${path}' OK`);
  });

  it('reports the first error with its field path, file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshscope-validate-'));
    const path = join(dir, 'envoy.yaml');
    const text = readFileSync(join(EXAMPLES, 'weighted-80-20.yaml'), 'utf8').replace(
      'lb_policy: ROUND_ROBIN',
      'lb_policy: CLUSTER_PROVIDED',
    );
    writeFileSync(path, text);
    const result = validateFile(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.path).toBe('static_resources.clusters[0].lb_policy');
    const line = text.split('\n').findIndex((l) => l.includes('CLUSTER_PROVIDED')) + 1;
    expect(result.message).toBe(
      `${path}: static_resources.clusters[0].lb_policy is CLUSTER_PROVIDED, which is not supported by meshscope-proxy yet (line ${line}, column 5)`,
    );
    expect(formatValidateResult(result)).toBe(`error: ${result.message}`);
  });

  it('reports an unreadable file and a protobuf bootstrap', () => {
    const missing = validateFile('/nonexistent/envoy.yaml');
    expect(missing.ok || missing.message).toBe('/nonexistent/envoy.yaml: cannot read the bootstrap (ENOENT)');
    const pb = validateFile('/x/envoy.pb');
    expect(pb.ok || pb.message).toContain('not supported; use YAML or JSON');
  });
});
