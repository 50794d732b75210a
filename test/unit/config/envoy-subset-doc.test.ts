// docs/envoy-subset.md is what the validator's schemas say (regenerate with `npm run docs:envoy-subset`
// after changing proxy/config/schema-*.ts), and the table generator reads every kind of schema the
// loader builds: messages, required fields, enums, durations, lists, maps, typed_config, and the fields
// refused as not yet supported or removed from the v3 API.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENVOY_SUBSET_DOC, envoySubsetDocument } from '../../../proxy/config/envoy-subset-main.ts';
import { envoySubsetSections, messageNameOf } from '../../../proxy/config/envoy-subset-table.ts';
import {
  durationMs,
  envoyEnum,
  envoyMessage,
  port,
  typedConfig,
} from '../../../proxy/config/schema-common.ts';

describe('docs/envoy-subset.md', () => {
  it('is up to date with proxy/config/schema-*.ts (else: npm run docs:envoy-subset)', async () => {
    expect(readFileSync(ENVOY_SUBSET_DOC, 'utf8')).toBe(await envoySubsetDocument());
  });

  it('covers the lab’s bootstrap: clusters, weighted routes, the runtime layers and the admin address', async () => {
    const doc = await envoySubsetDocument();
    for (const heading of [
      '## Bootstrap',
      '## Cluster',
      '## WeightedClusters',
      '## RuntimeLayer',
      '## SocketAddress',
    ])
      expect(doc).toContain(`\n${heading}\n`);
    expect(doc).toMatch(/\| `runtime_key_prefix` \| string \|/);
    expect(doc).toMatch(/\| `type` \| `STATIC`, `STRICT_DNS`, `LOGICAL_DNS`/);
  });
});

describe('envoySubsetSections', () => {
  const inner = envoyMessage({ port_value: port }, { notYet: ['named_port'] });
  const filter = envoyMessage({ stat_prefix: z.string() });
  const root = envoyMessage(
    {
      name: z.string(),
      timeout: durationMs.optional(),
      policy: envoyEnum(['A', 'B'], ['C']).optional(),
      items: z.array(inner).optional(),
      again: inner.optional(),
      tags: z.record(z.string(), z.string()).optional(),
      typed_config: typedConfig({ 'type.googleapis.com/x.v3.Filter': filter }).optional(),
      enabled: z.boolean().optional(),
    },
    { notYet: ['later'], removed: { old: 'use name' } },
  );
  const names = new Map<z.ZodType, string>([[inner, 'Inner']]);
  const md = envoySubsetSections(root, 'Root', { names });

  it('renders one section per message, each message once, named from the exports or its path', () => {
    expect(md.match(/^## .+$/gm)).toEqual(['## Root', '## Inner', '## Filter']);
    expect(md).toContain('At `items[]`.');
  });

  it('says what each field accepts, and which are required', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      '| `name` (required) | string |',
      '| `timeout` | duration |',
      '| `policy` | `A`, `B` (not yet: `C`) |',
      '| `items` | list of [Inner](#inner) |',
      '| `again` | [Inner](#inner) |',
      '| `tags` | map of name → string |',
      '| `typed_config` | `@type: type.googleapis.com/x.v3.Filter` → [Filter](#filter) |',
      '| `enabled` | bool |',
      '| `port_value` (required) | integer 0–65535 |',
      '| `stat_prefix` (required) | string |',
    ]);
  });

  it('lists the refused fields: not yet supported, and removed from v3 with the hint', () => {
    expect(md).toContain('Not yet supported (refused): `later`.');
    expect(md).toContain("`old` was removed in Envoy's v3 API; use name.");
    expect(md).toContain('Not yet supported (refused): `named_port`.');
  });

  it('names messages after their exported schemas', () => {
    expect(messageNameOf('clusterLoadAssignmentSchema')).toBe('ClusterLoadAssignment');
    expect(messageNameOf('Schema')).toBeUndefined();
    expect(messageNameOf('NOT_YET')).toBeUndefined();
  });
});
