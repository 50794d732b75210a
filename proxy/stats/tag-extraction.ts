// Envoy's tag extraction: a flat dotted stat name becomes a tag-extracted name plus tags, which
// /stats/prometheus prints as `envoy_<sanitized name>{tag="value",...}`. Follows
// `TagProducerImpl::produceTags`: every extractor runs against the *original* name; the parts they
// capture are removed together at the end. Extractors without a literal first token run first, then
// those registered for the name's first token, each group in registration order.
import { DEFAULT_TAG_DESCRIPTORS, type TagDescriptor } from './default-tag-extractors.ts';

export interface ExtractedName {
  /** Prometheus family name: `envoy_` + the tag-extracted name with `[^a-zA-Z0-9_]` → `_`. */
  name: string;
  /** Envoy's dotted tag-extracted name (`cluster.upstream_rq`); /stats/prometheus sorts families by it. */
  tagExtractedName: string;
  /** Prometheus label name (sanitized, e.g. `envoy_cluster_name`) and raw value, in extraction order. */
  tags: [string, string][];
  /**
   * The full stat name with dots as NUL: plain string order on it is Envoy's token-by-token order
   * (`SymbolTable::lessThan`), which sorts the series of a family.
   */
  sortKey: string;
}

interface Match {
  value: string;
  start: number;
  end: number;
}

interface Extractor {
  label: string;
  /** Envoy's extractor prefix: the literal first token it can only match, or '' for any name. */
  prefix: string;
  extract(name: string, tokens: readonly string[]): Match | undefined;
}

/** Prometheus name rule (`PrometheusStatsFormatter::sanitizeName`). */
export function sanitizePrometheusName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_');
}

// Envoy's `TagExtractorImplBase::extractRegexPrefix`: `^word\.` or `^word(?=\.)` gives prefix "word".
function regexPrefix(regex: string): string {
  const m = /^\^([a-zA-Z0-9_]+)/.exec(regex);
  if (!m?.[1]) return '';
  const rest = regex.slice(m[0].length);
  return rest === '' || rest.startsWith('\\.') || rest.startsWith('(?=\\.)') ? m[1] : '';
}

function regexExtractor(label: string, source: string, negative: string | undefined): Extractor {
  const re = new RegExp(source, 'd');
  return {
    label,
    prefix: regexPrefix(source),
    extract(name) {
      const m = re.exec(name);
      const remove = m?.indices?.[1];
      if (!m || !remove || remove[0] === remove[1]) return undefined;
      const value = m[2] ? m[2] : (m[1] ?? '');
      if (negative !== undefined && value === negative) return undefined;
      return { value, start: remove[0], end: remove[1] };
    },
  };
}

function tokenExtractor(label: string, pattern: string): Extractor {
  const tokens = pattern.split('.');
  const matchIndex = tokens.indexOf('$');
  const first = tokens[0] ?? '';
  // Mirrors `TagExtractorTokensImpl::searchTags`. Returns null when the pattern does not match, else
  // the input index of the `$` token (-1 when `$` lies before this sub-search's start).
  const search = (input: readonly string[], i: number, p: number): number | null => {
    let captured = -1;
    for (; i < input.length && p < tokens.length; i++, p++) {
      if (p === matchIndex) {
        captured = i;
        continue;
      }
      const expected = tokens[p];
      if (expected === '**') {
        if (p === tokens.length - 1) return captured; // a trailing `**` swallows one or more tokens
        for (let j = i; j < input.length; j++) {
          const found = search(input, j, p + 1);
          if (found !== null) return captured >= 0 ? captured : found;
        }
        return null;
      }
      if (expected !== '*' && expected !== input[i]) return null;
    }
    return p === tokens.length && i === input.length ? captured : null;
  };
  return {
    label,
    prefix: first === '$' || first === '*' || first === '**' ? '' : first,
    extract(_name, input) {
      const at = search(input, 0, 0);
      if (at === null || at < 0) return undefined;
      let start = 0;
      for (let k = 0; k < at; k++) start += input[k]!.length + 1;
      const value = input[at]!;
      let end = start + value.length;
      // Remove the dot after the token, or the one before it when it is the last token.
      if (at < input.length - 1) end++;
      else if (start > 0) start--;
      return { value, start, end };
    },
  };
}

function build(descriptors: readonly TagDescriptor[]) {
  const all = descriptors.map((d) =>
    d.kind === 'regex'
      ? regexExtractor(sanitizePrometheusName(d.tag), d.regex, d.negative)
      : tokenExtractor(sanitizePrometheusName(d.tag), d.pattern),
  );
  const withoutPrefix = all.filter((e) => e.prefix === '');
  const byPrefix = new Map<string, Extractor[]>();
  for (const e of all) {
    if (e.prefix === '') continue;
    const list = byPrefix.get(e.prefix) ?? [];
    list.push(e);
    byPrefix.set(e.prefix, list);
  }
  return { withoutPrefix, byPrefix };
}

const EXTRACTORS = build(DEFAULT_TAG_DESCRIPTORS);

function removeRanges(name: string, ranges: Match[]): string {
  if (ranges.length === 0) return name;
  const drop = new Uint8Array(name.length);
  for (const r of ranges) drop.fill(1, r.start, r.end);
  let out = '';
  for (let i = 0; i < name.length; i++) if (!drop[i]) out += name[i];
  return out;
}

/** Uncached extraction; see `extractTags`. */
export function computeTags(statName: string): ExtractedName {
  const tokens = statName.split('.');
  const tags: [string, string][] = [];
  const matches: Match[] = [];
  const dot = statName.indexOf('.');
  const prefixed = dot >= 0 ? (EXTRACTORS.byPrefix.get(statName.slice(0, dot)) ?? []) : [];
  for (const e of [...EXTRACTORS.withoutPrefix, ...prefixed]) {
    const m = e.extract(statName, tokens);
    if (!m) continue;
    tags.push([e.label, m.value]);
    matches.push(m);
  }
  const tagExtractedName = removeRanges(statName, matches);
  return {
    name: `envoy_${sanitizePrometheusName(tagExtractedName)}`,
    tagExtractedName,
    tags,
    sortKey: statName.replaceAll('.', '\0'),
  };
}

// Rendering runs on every scrape while the set of names changes rarely, so results are memoised.
// The bound only guards against a pathological stream of distinct names.
const CACHE_LIMIT = 100_000;
const cache = new Map<string, ExtractedName>();

/** Envoy's default tag extraction for one stat name, memoised. Treat the result as read-only. */
export function extractTags(statName: string): ExtractedName {
  let r = cache.get(statName);
  if (r === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    r = computeTags(statName);
    cache.set(statName, r);
  }
  return r;
}
