// Text → plain data, plus a way to find a field's line for error messages. YAML goes through the `yaml`
// package (YAML 1.2, with `<<` merge keys, which Envoy users copy from Envoy's own examples); JSON is
// YAML too, but a document meant as JSON gets JSON's stricter syntax check and a JSON-specific message.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, type FieldPath } from './config-error.ts';
import { toSnakeCase } from './normalize-keys.ts';

export type TextFormat = 'yaml' | 'json';

export interface ParsedText {
  value: unknown;
  /** Line/column (1-based) of the deepest node on `path` that exists in the document. */
  locate(path: FieldPath): { line: number; column: number } | undefined;
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function jsonSyntaxError(text: string, err: unknown, file: string | undefined): ConfigError {
  const message = err instanceof Error ? err.message : String(err);
  const at = /at position (\d+)/.exec(message);
  const where = at?.[1] === undefined ? {} : lineColumnAt(text, Number(at[1]));
  const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  return new ConfigError([], `invalid JSON: ${reason}`, { file, ...where });
}

// Envoy's YAML → JSON conversion reads keys by their proto names or lowerCamelCase JSON names, so a
// path segment (always snake_case here) matches a key written either way. Returns the node to descend
// into and the node to point at when the path ends here (the key, for a map entry).
function childOf(node: Node, segment: string | number): { next: Node; pointAt: Node } | undefined {
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    if (item === undefined || item === null || typeof item !== 'object') return undefined;
    return { next: item as Node, pointAt: item as Node };
  }
  if (isMap(node) && typeof segment === 'string') {
    for (const pair of node.items) {
      if (!isScalar(pair.key) || toSnakeCase(String(pair.key.value)) !== segment) continue;
      const value = pair.value === null ? pair.key : (pair.value as Node);
      return { next: value, pointAt: pair.key as Node };
    }
  }
  return undefined;
}

export function parseConfigText(text: string, opts: { format?: TextFormat; file?: string } = {}): ParsedText {
  const { file } = opts;
  const looksLikeJson = /^\s*[{[]/.test(text);
  let jsonValue: unknown;
  let jsonError: ConfigError | undefined;
  if (opts.format === 'json' || (opts.format === undefined && looksLikeJson)) {
    try {
      jsonValue = JSON.parse(text);
    } catch (err) {
      jsonError = jsonSyntaxError(text, err, file);
      // A `.json` file must be JSON (Envoy parses it with the protobuf JSON parser, not as YAML).
      if (opts.format === 'json') throw jsonError;
    }
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError !== undefined && jsonValue === undefined) {
    if (jsonError !== undefined) throw jsonError;
    const reason =
      firstError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
    const pos = firstError.linePos?.[0];
    throw new ConfigError([], `invalid YAML: ${reason}`, { file, line: pos?.line, column: pos?.col });
  }

  const value = jsonValue !== undefined ? jsonValue : doc.toJS({ maxAliasCount: 1000 });
  const positionsUsable = firstError === undefined;
  return {
    value,
    locate(path) {
      if (!positionsUsable) return undefined;
      let node = doc.contents as Node | null;
      if (node === null) return undefined;
      let found: Node = node;
      for (const segment of path) {
        const child = childOf(node, segment);
        if (child === undefined) break;
        node = child.next;
        found = child.pointAt;
      }
      const offset = found.range?.[0];
      if (offset === undefined) return undefined;
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    },
  };
}
