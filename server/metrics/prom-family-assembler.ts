// The metric families of one Prometheus text scrape (format 0.0.4): `# HELP` and `# TYPE` lines, and
// the family each sample joins. Samples nearly always follow their TYPE line, so the family of the
// previous sample or TYPE line is tried before the map. One assembler per parse, owned by the line
// scanner in prom-text-parser.ts, which passes it the comment lines and asks it for each sample's family.

import { baseName, isSuffixedMember } from './family-members.ts';
import { describe, hasClass, isBlank, NAME_CHAR, NAME_START } from './prom-char-classes.ts';
import type { MetricType, Sample } from './prom-exposition.ts';

const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export interface FamilyState {
  name: string;
  type: MetricType;
  help: string | undefined;
  samples: Sample[];
}

export class FamilyAssembler {
  private readonly text: string;
  readonly families = new Map<string, FamilyState>();
  /** Names that had a TYPE line (a family created by HELP or by a sample is untyped until then). */
  private readonly typed = new Set<string>();
  /** The family of the previous sample or TYPE line. */
  private current: FamilyState | undefined;
  /** A `_bucket`/`_sum`/`_count` name already found to belong to `current`. */
  private currentMember = '';

  constructor(text: string) {
    this.text = text;
  }

  // After `#`: `HELP name text`, `TYPE name type`, or any other comment (ignored). Returns the reason
  // when the line is invalid.
  comment(start: number, end: number): string | undefined {
    const text = this.text;
    let p = start;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    const wordStart = p;
    while (p < end && !isBlank(text.charCodeAt(p))) p++;
    if (p - wordStart !== 4) return undefined;
    const keyword = text.slice(wordStart, p);
    if (keyword !== 'HELP' && keyword !== 'TYPE') return undefined;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    const nameStart = p;
    if (p >= end || !hasClass(text.charCodeAt(p), NAME_START))
      return `# ${keyword} without a valid metric name`;
    while (p < end && hasClass(text.charCodeAt(p), NAME_CHAR)) p++;
    if (p < end && !isBlank(text.charCodeAt(p))) {
      return `invalid character ${describe(text.charCodeAt(p))} in the metric name of # ${keyword}`;
    }
    const name = text.slice(nameStart, p);
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (keyword === 'HELP') return this.setHelp(name, unescapeHelp(text.slice(p, end)));

    const typeStart = p;
    while (p < end && !isBlank(text.charCodeAt(p))) p++;
    const type = text.slice(typeStart, p);
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (p < end) return `unexpected text after the type in # TYPE ${name}`;
    if (!METRIC_TYPES.has(type)) return `unknown metric type ${JSON.stringify(type)} for ${name}`;
    return this.setType(name, type as MetricType);
  }

  private setType(name: string, type: MetricType): string | undefined {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { name, type, help: undefined, samples: [] };
      this.families.set(name, family);
    } else {
      // 0.0.4: "Only one TYPE line may exist for a given metric name" and it "must appear before the
      // first sample". Keep the first reading and report this line.
      if (this.typed.has(name)) return `second # TYPE line for ${name}`;
      if (family.samples.length > 0) return `# TYPE line for ${name} after its samples`;
      family.type = type;
    }
    this.typed.add(name);
    this.current = family;
    this.currentMember = '';
    return undefined;
  }

  private setHelp(name: string, help: string): string | undefined {
    const family = this.families.get(name);
    if (family === undefined) {
      this.families.set(name, { name, type: 'untyped', help, samples: [] });
      return undefined;
    }
    if (family.help !== undefined) return `second # HELP line for ${name}`;
    family.help = help;
    return undefined;
  }

  // A sample belongs to the family of its own name, or (`_bucket`/`_sum`/`_count`) to the histogram or
  // summary family of its base name; otherwise it starts an untyped family of its own.
  familyFor(name: string): FamilyState {
    const current = this.current;
    if (current !== undefined) {
      if (current.name === name || name === this.currentMember) return current;
      if (isSuffixedMember(current, name)) {
        this.currentMember = name;
        return current;
      }
    }
    let family = this.families.get(name);
    if (family === undefined) {
      const base = baseName(name);
      if (base !== undefined) {
        const candidate = this.families.get(base);
        if (candidate !== undefined && isSuffixedMember(candidate, name)) family = candidate;
      }
      if (family === undefined) {
        family = { name, type: 'untyped', help: undefined, samples: [] };
        this.families.set(name, family);
      }
    }
    this.current = family;
    this.currentMember = '';
    return family;
  }
}

// HELP text escapes are `\\` and `\n`; any other backslash is kept as written (HELP is only shown to
// people, so a stray backslash is not worth dropping the line for).
function unescapeHelp(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([\\n])/g, (_m, e: string) => (e === 'n' ? '\n' : '\\'));
}
