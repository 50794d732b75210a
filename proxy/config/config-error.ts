// The one error type of the bootstrap loader. Every rejection names the offending field as a path in the
// document (snake_case, as Envoy's own validation messages do), e.g.
// `static_resources.clusters[1].lb_policy`, so a user can find the line to fix.

export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

/** Where a ConfigError happened, once known: the file and the line/column of the field in it. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
}

/** `a.b[2].c`; keys that are not plain identifiers (`@type` excepted) are quoted: `x["a.b"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[@A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

// A detail that reads as a predicate of the field ("is required", "was removed …") follows the path
// with a space; anything else follows a colon.
function joinPathAndDetail(path: string, detail: string): string {
  if (path === '') return detail;
  return /^(is|was|must|needs|has) /.test(detail) ? `${path} ${detail}` : `${path}: ${detail}`;
}

export class ConfigError extends Error {
  /** The offending field, formatted; empty when the problem is the document itself (e.g. a syntax error). */
  readonly path: string;
  readonly segments: FieldPath;
  /** The message without path or location. */
  readonly detail: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Further problems found in the same pass (already formatted), when the schema reported several. */
  readonly more: readonly string[];

  constructor(
    segments: FieldPath,
    detail: string,
    location: ErrorLocation = {},
    more: readonly string[] = [],
  ) {
    const path = formatPath(segments);
    let message = joinPathAndDetail(path, detail);
    if (location.line !== undefined) message += ` (line ${location.line}, column ${location.column ?? 1})`;
    if (location.file !== undefined) message = `${location.file}: ${message}`;
    super(message);
    this.name = 'ConfigError';
    this.path = path;
    this.segments = segments;
    this.detail = detail;
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.more = more;
  }

  /** The same error, placed in a file (only fills what is not known yet). */
  located(location: ErrorLocation): ConfigError {
    return new ConfigError(
      this.segments,
      this.detail,
      {
        file: this.file ?? location.file,
        line: this.line ?? location.line,
        column: this.column ?? location.column,
      },
      this.more,
    );
  }
}

/** Shorthand used by the converters: throw at a field path. */
export function fail(path: FieldPath, detail: string): never {
  throw new ConfigError(path, detail);
}
