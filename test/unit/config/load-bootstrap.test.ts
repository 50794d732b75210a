// loadBootstrap: the -c path and --config-yaml of the command line, alone or merged as Envoy merges them.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import { mergeBootstrapDocs } from '../../../proxy/config/merge-bootstrap.ts';
import { configError, minimalDoc } from './bootstrap-fixture.ts';

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'meshscope-bootstrap-')), name);
  writeFileSync(path, text);
  return path;
}

describe('mergeBootstrapDocs', () => {
  it('merges messages, appends repeated fields, replaces scalars and Struct entries', () => {
    const base = {
      admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } },
      static_resources: { clusters: [{ name: 'a' }] },
      layered_runtime: { layers: [{ name: 's', static_layer: { x: { deep: 1 }, y: 2 } }] },
    };
    const overlay = {
      admin: { address: { socket_address: { port_value: 9902 } } },
      static_resources: { clusters: [{ name: 'b' }] },
    };
    expect(mergeBootstrapDocs(base, overlay)).toEqual({
      admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9902 } } },
      static_resources: { clusters: [{ name: 'a' }, { name: 'b' }] },
      layered_runtime: base.layered_runtime,
    });
    expect(
      mergeBootstrapDocs({ static_layer: { x: { deep: 1 }, y: 2 } }, { static_layer: { x: { other: 3 } } }),
    ).toEqual({
      static_layer: { x: { other: 3 }, y: 2 },
    });
  });
});

describe('loadBootstrap', () => {
  it('loads from a path, from inline YAML, and from both merged', () => {
    const path = writeTemp('envoy.yaml', stringify(minimalDoc()));
    expect(loadBootstrap({ path }).clusters.map((c) => c.name)).toEqual(['v1', 'v2']);

    const inline = loadBootstrap({ yaml: JSON.stringify(minimalDoc()), serviceNode: 'n' });
    expect(inline.node.id).toBe('n');

    const overlay = 'node: {id: merged}\nadmin: {address: {socket_address: {port_value: 9999}}}\n';
    const merged = loadBootstrap({ path, yaml: overlay });
    expect(merged.node.id).toBe('merged');
    expect(merged.admin?.address).toEqual({ address: '127.0.0.1', port: 9999 });
    expect(merged.listeners).toHaveLength(1);
  });

  it('names the source of an error', () => {
    const path = writeTemp('envoy.yaml', stringify(minimalDoc()));
    const inline = configError(() => loadBootstrap({ yaml: 'admin: {adress: {}}' }));
    expect(inline.message).toMatch(
      /^--config-yaml: admin\.adress is an unknown field \(did you mean "address"\?\)/,
    );
    const merged = configError(() =>
      loadBootstrap({ path, yaml: 'static_resources: {clusters: [{name: v1}]}' }),
    );
    expect(merged.message).toBe(
      `${path} + --config-yaml: static_resources.clusters[2].name is a duplicate cluster name "v1"`,
    );
    const broken = configError(() => loadBootstrap({ path, yaml: 'admin: [' }));
    expect(broken.file).toBe('--config-yaml');
    expect(configError(() => loadBootstrap({})).message).toContain('no bootstrap given');
  });
});
