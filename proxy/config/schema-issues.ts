// zod issues → our field-path messages. The schema reports every problem at once; the ConfigError names
// the one that comes first in the document (the others ride along in `more`).

import type { z } from 'zod';
import { ConfigError, type ErrorLocation, type FieldPath } from './config-error.ts';
import { describeValue, knownFieldNames } from './schema-common.ts';

interface Problem {
  path: FieldPath;
  detail: string;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known field name a misspelt one was probably meant to be. */
export function suggestField(name: string): string | undefined {
  const limit = name.length < 6 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  const squashed = name.replaceAll('_', '').toLowerCase();
  for (const known of knownFieldNames) {
    const d = known.replaceAll('_', '') === squashed ? 0 : editDistance(name, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function unknownFieldDetail(key: string): string {
  const suggestion = suggestField(key);
  return suggestion === undefined
    ? 'is an unknown field (not in Envoy v3, or not in this message)'
    : `is an unknown field (did you mean "${suggestion}"?)`;
}

function article(type: string): string {
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function problemsOf(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], detail: unknownFieldDetail(key) }));
    case 'invalid_type':
      if (issue.expected === 'never') return [{ path, detail: issue.message }];
      if (issue.input === undefined) return [{ path, detail: 'is required' }];
      return [{ path, detail: `must be ${article(issue.expected)}, got ${describeValue(issue.input)}` }];
    case 'too_small':
      if (issue.origin === 'string') return [{ path, detail: 'must not be empty' }];
      if (issue.origin === 'array') return [{ path, detail: `must have at least ${issue.minimum} item(s)` }];
      return [{ path, detail: `must be at least ${issue.minimum}` }];
    case 'too_big':
      return [{ path, detail: `must be at most ${issue.maximum}` }];
    default:
      return [{ path, detail: issue.message }];
  }
}

/**
 * One ConfigError for a failed schema parse. `base` prefixes every path (e.g. where an RDS document's
 * route configuration sits); `locate` orders problems by their place in the document.
 */
export function schemaError(
  issues: readonly z.core.$ZodIssue[],
  base: FieldPath,
  locate: (path: FieldPath) => { line: number; column: number } | undefined,
  file?: string,
): ConfigError {
  const problems = issues.flatMap(problemsOf).map((p) => {
    const path = [...base, ...p.path];
    return { path, detail: p.detail, where: locate(path) };
  });
  problems.sort((a, b) => {
    const la = a.where?.line ?? Number.MAX_SAFE_INTEGER;
    const lb = b.where?.line ?? Number.MAX_SAFE_INTEGER;
    return la - lb || (a.where?.column ?? 0) - (b.where?.column ?? 0);
  });
  const [first, ...rest] = problems;
  if (first === undefined) return new ConfigError(base, 'is invalid', { file });
  const location: ErrorLocation = { file, line: first.where?.line, column: first.where?.column };
  const more = rest.map(
    (p) => new ConfigError(p.path, p.detail, { line: p.where?.line, column: p.where?.column }).message,
  );
  return new ConfigError(first.path, first.detail, location, more);
}
