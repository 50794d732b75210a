// Entry point: bootstrap text or file → validated model. The I/O (reading the bootstrap and RDS files) is
// here; everything it calls is pure.

import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ConfigError, type FieldPath } from './config-error.ts';
import { convertBootstrap } from './convert-bootstrap.ts';
import type { ListenerContext } from './convert-listener.ts';
import { mergeBootstrapDocs } from './merge-bootstrap.ts';
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
function locateError(err: unknown, locate: ParsedText['locate'], file: string | undefined): unknown {
  if (!(err instanceof ConfigError) || err.file !== undefined) return err;
  // A problem with the document as a whole has no line worth showing.
  const where = err.segments.length > 0 ? locate(err.segments) : undefined;
  return err.located({ file, ...where });
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
      throw locateError(err, parsed.locate, rdsPath);
    }
  };
}

// The labs ship the bootstrap inside a ConfigMap (envoy-config.yaml); handing that file to the proxy is
// an easy mistake, and "apiVersion is an unknown field" would not explain it.
function rejectKubernetesManifest(doc: Record<string, unknown>): void {
  if (typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') return;
  const data = doc.data;
  const hint =
    isPlainObject(data) && Object.keys(data).length > 0
      ? `; the bootstrap is one of its data entries (${Object.keys(data).join(', ')})`
      : '';
  throw new ConfigError([], `this is a Kubernetes ${doc.kind} manifest, not an Envoy bootstrap${hint}`);
}

/** The document as a snake_case map, or the reason it is no bootstrap at all. */
function normalizedDocument(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) {
    const empty = value === null || value === undefined;
    throw new ConfigError([], empty ? 'the bootstrap is empty' : 'the bootstrap must be a map of fields');
  }
  rejectKubernetesManifest(value);
  return normalizeKeys(value) as Record<string, unknown>;
}

/** Validates and converts an already parsed document; errors are placed with `where`. */
function bootstrapFromDocument(
  value: unknown,
  opts: ParseOptions,
  where: { file?: string; locate: ParsedText['locate'] },
): Bootstrap {
  try {
    const raw = normalizedDocument(value);
    const result = bootstrapSchema.safeParse(raw, { reportInput: true });
    if (!result.success) throw schemaError(result.error.issues, [] as FieldPath, where.locate, where.file);
    return convertBootstrap(result.data, raw, {
      serviceNode: opts.serviceNode,
      serviceCluster: opts.serviceCluster,
      loadRds: rdsLoader(opts),
    });
  } catch (err) {
    throw locateError(err, where.locate, where.file);
  }
}

/** Parses and validates an Envoy v3 bootstrap (YAML or JSON). Throws ConfigError naming the field. */
export function parseBootstrap(text: string, opts: ParseOptions = {}): Bootstrap {
  const file = opts.sourceName;
  const parsed = parseConfigText(text, { format: opts.format ?? formatOf(file), file });
  return bootstrapFromDocument(parsed.value, opts, { file, locate: parsed.locate });
}

function readBootstrapText(path: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.pb' || ext === '.pb_text') {
    throw new ConfigError([], 'protobuf bootstraps (.pb, .pb_text) are not supported; use YAML or JSON', {
      file: path,
    });
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([], `cannot read the bootstrap (${errorCode(err)})`, { file: path });
  }
}

/** Reads and parses a bootstrap file, choosing the syntax by extension as Envoy does. */
export function loadBootstrapFile(path: string, opts: Omit<ParseOptions, 'sourceName'> = {}): Bootstrap {
  return parseBootstrap(readBootstrapText(path), { ...opts, sourceName: path });
}

/** Where the proxy's command line says the bootstrap is: `-c` path, `--config-yaml` text, or both. */
export interface BootstrapSource extends Omit<ParseOptions, 'sourceName' | 'format'> {
  path?: string;
  yaml?: string;
}

/**
 * Loads the bootstrap as Envoy does from `-c` and `--config-yaml`: with both, the YAML is merged over
 * the file (proto MergeFrom). Errors in a merged document carry no line, as it has no single source.
 */
export function loadBootstrap(source: BootstrapSource): Bootstrap {
  const { path, yaml, ...opts } = source;
  if (yaml === undefined) {
    if (path === undefined) throw new ConfigError([], 'no bootstrap given: use -c <path> or --config-yaml');
    return loadBootstrapFile(path, opts);
  }
  if (path === undefined) return parseBootstrap(yaml, { ...opts, sourceName: '--config-yaml' });
  const normalized = (text: string, file: string, format?: TextFormat) => {
    const parsed = parseConfigText(text, { format, file });
    try {
      return normalizedDocument(parsed.value);
    } catch (err) {
      throw locateError(err, parsed.locate, file);
    }
  };
  const merged = mergeBootstrapDocs(
    normalized(readBootstrapText(path), path, formatOf(path)),
    normalized(yaml, '--config-yaml', 'yaml'),
  );
  return bootstrapFromDocument(merged, opts, { file: `${path} + --config-yaml`, locate: () => undefined });
}
