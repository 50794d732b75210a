// `meshscope-proxy --mode validate -c envoy.yaml`: load the bootstrap and report, like Envoy's own
// validate mode, either "configuration '<path>' OK" or the first error with its field path.

import { ConfigError, loadBootstrapFile, type ParseOptions } from './load-bootstrap.ts';
import type { Bootstrap } from './model.ts';

export type ValidateResult =
  | { ok: true; message: string; bootstrap: Bootstrap }
  | { ok: false; message: string; path?: string; more: readonly string[] };

export function validateFile(path: string, opts: Omit<ParseOptions, 'sourceName'> = {}): ValidateResult {
  try {
    const bootstrap = loadBootstrapFile(path, opts);
    return { ok: true, message: `configuration '${path}' OK`, bootstrap };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, message: err.message, path: err.path === '' ? undefined : err.path, more: err.more };
  }
}

/** The lines to print for a result (the first error, then any further ones indented). */
export function formatValidateResult(result: ValidateResult): string {
  if (result.ok) return result.message;
  return [`error: ${result.message}`, ...result.more.map((m) => `  also: ${m}`)].join('\n');
}
