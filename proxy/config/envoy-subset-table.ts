// The Envoy subset meshscope-proxy loads, as Markdown, read from the validator's own zod schemas, so
// the table in docs/envoy-subset.md cannot drift from what the loader accepts: one section per
// message (named after its exported schema, `clusterSchema` → Cluster), a row per accepted field, and
// the fields Envoy has that are refused as not yet supported, or as removed in the v3 API.
import type { z } from 'zod';
import { NOT_SUPPORTED_YET } from './schema-common.ts';
import { descriptionOf } from './schema-describe.ts';

/** The parts of zod's definitions this reads (zod v4 `_zod.def`). */
interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
  in?: z.ZodType;
  values?: unknown[];
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

interface Section {
  title: string;
  /** Where it first appears, from the bootstrap's root. */
  path: string;
  rows: { field: string; accepts: string }[];
  notYet: string[];
  removed: { field: string; hint: string }[];
}

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
const anchor = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

/** Optional, lazy and default wrappers peeled off; whether the field may be left out. */
function unwrap(s: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let schema = s;
  let optional = false;
  for (;;) {
    if (descriptionOf(schema)) return { schema, optional };
    const def = defOf(schema);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) {
      optional = true;
      schema = def.innerType;
    } else if (def.type === 'lazy' && def.getter) {
      schema = def.getter();
    } else {
      return { schema, optional };
    }
  }
}

export interface SubsetOptions {
  /** Schema → display name (from the modules' exports); others are named after their field path. */
  names: ReadonlyMap<z.ZodType, string>;
}

/** The Markdown body: a section per message reachable from `root`. */
export function envoySubsetSections(root: z.ZodType, rootName: string, opts: SubsetOptions): string {
  const sections: Section[] = [];
  const titles = new Map<z.ZodType, string>();
  const queue: { schema: z.ZodType; path: string; title: string }[] = [];
  const usedTitles = new Set<string>();

  const messageTitle = (schema: z.ZodType, path: string, hint?: string): string => {
    const known = titles.get(schema);
    if (known) return known;
    let title = opts.names.get(schema) ?? hint ?? (path || rootName);
    if (usedTitles.has(title)) title = `${title} (${path})`;
    usedTitles.add(title);
    titles.set(schema, title);
    queue.push({ schema, path, title });
    return title;
  };
  const link = (title: string) => `[${title}](#${anchor(title)})`;

  /** What a field accepts, in words; messages are linked (and queued for their own section). */
  const accepts = (s: z.ZodType, path: string, hint?: string): string => {
    const { schema } = unwrap(s);
    const d = descriptionOf(schema);
    if (d?.kind === 'enum') {
      const values = d.supported.map((v) => `\`${v}\``).join(', ');
      return d.notYet.length > 0
        ? `${values} (not yet: ${d.notYet.map((v) => `\`${v}\``).join(', ')})`
        : values;
    }
    if (d?.kind === 'scalar') return d.text;
    if (d?.kind === 'typed_config') {
      return Object.entries(d.types)
        .map(([url, t]) => {
          // An Any's message is named by its type URL (…router.v3.Router → Router).
          const name = url.split('.').at(-1);
          return `\`@type: ${url}\` → ${accepts(t, `${path}(${name})`, name)}`;
        })
        .join('<br>');
    }
    const def = defOf(schema);
    switch (def.type) {
      case 'object':
        return link(messageTitle(schema, path, hint));
      case 'array':
        return `list of ${accepts(def.element!, `${path}[]`, hint)}`;
      case 'record':
        return `map of name → ${accepts(def.valueType!, `${path}.*`, hint)}`;
      case 'union':
        return (def.options ?? []).map((o) => accepts(o, path, hint)).join(' or ');
      case 'string':
        return 'string';
      case 'boolean':
        return 'bool';
      case 'number':
        return 'number';
      case 'literal':
        return (def.values ?? []).map((v) => `\`${JSON.stringify(v)}\``).join(', ');
      case 'unknown':
      case 'any':
        return 'any JSON (kept as written)';
      default:
        return 'value';
    }
  };

  messageTitle(root, '');
  while (queue.length > 0) {
    const { schema, path, title } = queue.shift()!;
    const section: Section = { title, path, rows: [], notYet: [], removed: [] };
    sections.push(section);
    for (const [field, fieldSchema] of Object.entries(defOf(schema).shape ?? {})) {
      const { schema: inner, optional } = unwrap(fieldSchema);
      if (defOf(inner).type === 'never') {
        // A refused Envoy field: its message says whether it is not yet supported or gone from v3.
        const issue = (schema as z.ZodType)
          .safeParse({ [field]: 0 })
          .error?.issues.find((i) => i.path[0] === field);
        const message = issue?.message ?? '';
        if (message.includes(NOT_SUPPORTED_YET)) section.notYet.push(field);
        else section.removed.push({ field, hint: message });
        continue;
      }
      // An unexported message is named after its parent and field (RuntimeLayer.disk_layer).
      const what = accepts(fieldSchema, path === '' ? field : `${path}.${field}`, `${title}.${field}`);
      section.rows.push({ field: optional ? `\`${field}\`` : `\`${field}\` (required)`, accepts: what });
    }
  }

  return sections
    .map((s) => {
      const lines = [`## ${s.title}`, '', s.path === '' ? 'The document itself.' : `At \`${s.path}\`.`, ''];
      if (s.rows.length > 0) {
        lines.push('| field | accepts |', '|---|---|');
        for (const r of s.rows) lines.push(`| ${r.field} | ${r.accepts.replace(/\|/g, '\\|')} |`);
      } else {
        lines.push('An empty message: no fields.');
      }
      if (s.notYet.length > 0) {
        lines.push('', `Not yet supported (refused): ${s.notYet.map((f) => `\`${f}\``).join(', ')}.`);
      }
      for (const r of s.removed) lines.push('', `\`${r.field}\` ${r.hint}.`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/** PascalCase message name of an exported schema: `clusterLoadAssignmentSchema` → ClusterLoadAssignment. */
export function messageNameOf(exportName: string): string | undefined {
  if (!exportName.endsWith('Schema')) return undefined;
  const base = exportName.slice(0, -'Schema'.length);
  return base.length === 0 ? undefined : base.charAt(0).toUpperCase() + base.slice(1);
}
