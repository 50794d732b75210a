// AccessLog (schema output) → model AccessLog: stdout/stderr/file sinks and a text format.

import { type FieldPath, fail } from './config-error.ts';
import type { AccessLog } from './model.ts';
import type { AccessLogInput } from './schema-access-log.ts';
import { TYPE_URL } from './type-urls.ts';

type LogFormatInput = { text_format?: string; text_format_source?: { inline_string: string } };

function formatOf(logFormat: LogFormatInput | undefined, path: FieldPath): string | undefined {
  if (logFormat === undefined) return undefined;
  if (logFormat.text_format !== undefined && logFormat.text_format_source !== undefined) {
    fail([...path, 'text_format'], 'must not be set together with text_format_source');
  }
  // SubstitutionFormatString with no format set means Envoy's default format.
  return logFormat.text_format ?? logFormat.text_format_source?.inline_string;
}

export function convertAccessLog(log: AccessLogInput, path: FieldPath): AccessLog {
  const configPath = [...path, 'typed_config'];
  const typed = log.typed_config;
  if (typed.typeUrl === TYPE_URL.fileAccessLog) {
    const file = typed.config;
    if (file.format !== undefined && file.log_format !== undefined) {
      fail([...configPath, 'format'], 'must not be set together with log_format');
    }
    const format = file.format ?? formatOf(file.log_format, [...configPath, 'log_format']);
    return { sink: 'file', path: file.path, ...(format !== undefined ? { format } : {}) };
  }
  const format = formatOf(typed.config.log_format, [...configPath, 'log_format']);
  const sink = typed.typeUrl === TYPE_URL.stderrAccessLog ? 'stderr' : 'stdout';
  return { sink, ...(format !== undefined ? { format } : {}) };
}
