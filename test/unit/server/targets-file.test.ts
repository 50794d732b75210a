import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTargetsFile } from '../../../server/sources/targets-file/targets-file-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'targets-'));
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('targets file', () => {
  it('turns workloads, replicas and services into an inventory', () => {
    const inv = loadTargetsFile(
      write(
        'ok.yaml',
        `targets:
  - { workload: frontend, app: frontend, version: v1, addresses: [127.0.0.10], admin: http://127.0.0.10:9901/, kind: meshscope-proxy }
  - { namespace: shop, workload: backend-v1, app: backend, version: v1, addresses: ["127.0.0.11:8080"], admin: [http://127.0.0.11:9901, http://127.0.0.12:9901] }
  - { workload: legacy, addresses: [10.0.0.7] }
services:
  - { namespace: shop, name: backend, addresses: [127.0.0.11] }
`,
      ),
    );
    expect(inv.workloads.map((w) => [w.namespace, w.name, w.app, w.version, w.hasSidecar])).toEqual([
      ['default', 'frontend', 'frontend', 'v1', true],
      ['shop', 'backend-v1', 'backend', 'v1', true],
      ['default', 'legacy', 'legacy', undefined, false],
    ]);
    expect(inv.sidecars.map((s) => [s.id, s.kind, s.admin.baseUrl, s.statsPath])).toEqual([
      ['default/frontend/0', 'meshscope-proxy', 'http://127.0.0.10:9901', '/stats/prometheus'],
      ['shop/backend-v1/0', 'envoy', 'http://127.0.0.11:9901', '/stats/prometheus'],
      ['shop/backend-v1/1', 'envoy', 'http://127.0.0.12:9901', '/stats/prometheus'],
    ]);
    expect(inv.services).toEqual([
      { namespace: 'shop', name: 'backend', clusterIps: [], endpointIps: ['127.0.0.11'], selector: {} },
    ]);
  });

  it.each([
    ['bad-yaml.yaml', 'targets: [\n', /bad-yaml\.yaml: /],
    ['no-targets.yaml', 'services: []\n', /targets: /],
    [
      'bad-ip.yaml',
      'targets:\n  - { workload: a, addresses: [not-an-ip] }\n',
      /targets\[0\]\.addresses\[0\]: must be an IP/,
    ],
    ['bad-url.yaml', 'targets:\n  - { workload: a, admin: "ftp://x" }\n', /targets\[0\]\.admin/],
    ['bad-kind.yaml', 'targets:\n  - { workload: a, kind: linkerd }\n', /targets\[0\]\.kind/],
    ['unknown.yaml', 'targets:\n  - { workload: a, adress: [127.0.0.1] }\n', /targets\[0\].*adress/],
    [
      'upper.yaml',
      'targets:\n  - { workload: Frontend }\n',
      /targets\[0\]\.workload: must be a DNS-1123 name/,
    ],
  ])('%s is refused with the field path', (name, text, msg) => {
    expect(() => loadTargetsFile(write(name, text))).toThrow(msg);
  });
});
