// AccessLog (schema output) → model AccessLog: stdout/stderr/file sinks and a text or JSON format. The
// format is compiled here once so that an unknown operator is a configuration error at its field.

import { AccessLogFormatError, compileAccessLogFormat } from '../access-log/access-log-format.ts';
import { compileJsonAccessLogFormat } from '../access-log/json-access-log-format.ts';
import { type FieldPath, fail } from './config-error.ts';
import { oneOf } from './convert-matchers.ts';
import type { AccessLog } from './model.ts';
import type { AccessLogInput } from './schema-access-log.ts';
import { TYPE_URL } from './type-urls.ts';

type LogFormatInput = {
  text_format?: string;
  text_format_source?: { inline_string: string };
  json_format?: Record<string, unknown>;
};

type Format = Pick<AccessLog, 'format' | 'jsonFormat'>;

function checked(compile: () => unknown, path: FieldPath): void {
  try {
    compile();
  } catch (err) {
    if (err instanceof AccessLogFormatError) fail(path, err.message);
    throw err;
  }
}

function formatOf(logFormat: LogFormatInput | undefined, path: FieldPath): Format {
  if (logFormat === undefined) return {};
  const kind = oneOf(logFormat, ['text_format', 'text_format_source', 'json_format'], path, false);
  if (kind === 'json_format') {
    const jsonFormat = logFormat.json_format!;
    checked(() => compileJsonAccessLogFormat(jsonFormat), [...path, 'json_format']);
    return { jsonFormat };
  }
  // SubstitutionFormatString with no format set means Envoy's default format.
  const format = logFormat.text_format ?? logFormat.text_format_source?.inline_string;
  if (format === undefined) return {};
  checked(() => compileAccessLogFormat(format), [...path, kind ?? 'text_format']);
  return { format };
}

export function convertAccessLog(log: AccessLogInput, path: FieldPath): AccessLog {
  const configPath = [...path, 'typed_config'];
  const typed = log.typed_config;
  if (typed.typeUrl === TYPE_URL.fileAccessLog) {
    const file = typed.config;
    if (file.format !== undefined && file.log_format !== undefined) {
      fail([...configPath, 'format'], 'must not be set together with log_format');
    }
    if (file.format !== undefined)
      checked(() => compileAccessLogFormat(file.format), [...configPath, 'format']);
    const format: Format =
      file.format !== undefined
        ? { format: file.format }
        : formatOf(file.log_format, [...configPath, 'log_format']);
    return { sink: 'file', path: file.path, ...format };
  }
  const format = formatOf(typed.config.log_format, [...configPath, 'log_format']);
  const sink = typed.typeUrl === TYPE_URL.stderrAccessLog ? 'stderr' : 'stdout';
  return { sink, ...format };
}
