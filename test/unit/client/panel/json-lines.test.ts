import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines } from '../../../../client/src/panel/json-lines.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const printed = (v: unknown) => jsonLines(v).map((l) => '  '.repeat(l.depth) + l.text);

describe('jsonLines', () => {
  it('prints exactly what JSON.stringify(value, null, 2) prints, on a real config dump', () => {
    const dump: unknown = JSON.parse(
      readFileSync(join(ENVOY_FIXTURES, 'envoy_config_dump_consul_rds_weighted_clusters.json'), 'utf8'),
    );
    expect(printed(dump)).toEqual(JSON.stringify(dump, null, 2).split('\n'));
  });

  it('prints empty containers, nulls and odd keys as JSON.stringify does', () => {
    const v = { a: [], b: {}, c: null, 'd.e': [1, { f: 'x' }], g: undefined };
    expect(printed(v)).toEqual(JSON.stringify(v, null, 2).split('\n'));
  });

  it("names each line's place in the document", () => {
    const lines = jsonLines({ configs: [{ cluster: { name: 'backend_v2' } }], 'a b': 1 });
    const path = (text: string) => lines.find((l) => l.text === text)?.path;
    expect(path('"name": "backend_v2"')).toBe('configs[0].cluster.name');
    expect(path('"cluster": {')).toBe('configs[0].cluster');
    expect(path('"a b": 1')).toBe('["a b"]');
    expect(lines[0]).toEqual({ depth: 0, text: '{', path: '' });
  });
});
