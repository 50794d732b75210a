// Entry point: bootstrap text or file → validated model. The I/O (reading the bootstrap and RDS files) is
// here; everything it calls is pure.

import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ConfigError, type FieldPath } from './config-error.ts';
import { convertBootstrap } from './convert-bootstrap.ts';
import type { ListenerContext } from './convert-listener.ts';
import type { Bootstrap } from './model.ts';
import { normalizeKeys } from './normalize-keys.ts';
import { type ParsedText, parseConfigText, type TextFormat } from './parse-text.ts';
import { pickRouteConfiguration } from './rds-document.ts';
import { bootstrapSchema } from './schema-bootstrap.ts';
import { isPlainObject } from './schema-common.ts';
import { schemaError } from './schema-issues.ts';
import { routeConfigurationSchema } from './schema-route.ts';

export { ConfigError } from './config-error.ts';

export interface ParseOptions {
  /** Default: JSON when `sourceName` ends in .json, otherwise YAML (which also reads JSON). */
  format?: TextFormat;
  /** Relative RDS file paths are resolved from here; default the working directory, as Envoy does. */
  baseDir?: string;
  /** Envoy's --service-node: overrides node.id. */
  serviceNode?: string;
  /** Envoy's --service-cluster: overrides node.cluster. */
  serviceCluster?: string;
  /** The file the text came from, for messages. */
  sourceName?: string;
  /** How to read RDS files (tests pass a map); default fs.readFileSync as UTF-8. */
  readFile?: (path: string) => string;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}

function formatOf(file: string | undefined): TextFormat | undefined {
  return file !== undefined && extname(file).toLowerCase() === '.json' ? 'json' : undefined;
}

/** Adds the file and the line of the offending field to an error raised while handling `parsed`. */
function locateError(err: unknown, parsed: ParsedText, file: string | undefined): unknown {
  if (!(err instanceof ConfigError) || err.file !== undefined) return err;
  return err.located({ file, ...parsed.locate(err.segments) });
}

function errorCode(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

function rdsLoader(opts: ParseOptions): ListenerContext['loadRds'] {
  const read = opts.readFile ?? readUtf8;
  return ({ file, routeConfigName, fieldPath, convert }) => {
    const rdsPath = resolve(opts.baseDir ?? process.cwd(), file);
    let text: string;
    try {
      text = read(rdsPath);
    } catch (err) {
      throw new ConfigError(fieldPath, `cannot read the RDS file "${rdsPath}" (${errorCode(err)})`);
    }
    const parsed = parseConfigText(text, { format: formatOf(rdsPath), file: rdsPath });
    try {
      const doc = normalizeKeys(parsed.value);
      const { routeConfig, path } = pickRouteConfiguration(doc, routeConfigName);
      const result = routeConfigurationSchema.safeParse(routeConfig, { reportInput: true });
      if (!result.success) throw schemaError(result.error.issues, path, parsed.locate, rdsPath);
      return { routeConfig: convert(result.data, path), rdsPath };
    } catch (err) {
      throw locateError(err, parsed, rdsPath);
    }
  };
}

/** Parses and validates an Envoy v3 bootstrap (YAML or JSON). Throws ConfigError naming the field. */
export function parseBootstrap(text: string, opts: ParseOptions = {}): Bootstrap {
  const file = opts.sourceName;
  const parsed = parseConfigText(text, { format: opts.format ?? formatOf(file), file });
  try {
    if (!isPlainObject(parsed.value)) {
      const empty = parsed.value === null || parsed.value === undefined;
      throw new ConfigError([], empty ? 'the bootstrap is empty' : 'the bootstrap must be a map of fields');
    }
    const raw = normalizeKeys(parsed.value) as Record<string, unknown>;
    const result = bootstrapSchema.safeParse(raw, { reportInput: true });
    if (!result.success) throw schemaError(result.error.issues, [] as FieldPath, parsed.locate, file);
    return convertBootstrap(result.data, raw, {
      serviceNode: opts.serviceNode,
      serviceCluster: opts.serviceCluster,
      loadRds: rdsLoader(opts),
    });
  } catch (err) {
    throw locateError(err, parsed, file);
  }
}

/** Reads and parses a bootstrap file, choosing the syntax by extension as Envoy does. */
export function loadBootstrapFile(path: string, opts: Omit<ParseOptions, 'sourceName'> = {}): Bootstrap {
  const ext = extname(path).toLowerCase();
  if (ext === '.pb' || ext === '.pb_text') {
    throw new ConfigError([], 'protobuf bootstraps (.pb, .pb_text) are not supported; use YAML or JSON', {
      file: path,
    });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([], `cannot read the bootstrap (${errorCode(err)})`, { file: path });
  }
  return parseBootstrap(text, { ...opts, sourceName: path });
}
