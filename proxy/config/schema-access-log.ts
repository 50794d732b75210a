// envoy.config.accesslog.v3.AccessLog with the stdout/stderr stream loggers and the file logger
// (envoy.extensions.access_loggers.{stream,file}.v3). Shared by the HCM and the admin section.

import { z } from 'zod';
import { envoyMessage, inlineStringSourceSchema, nonEmptyString, typedConfig } from './schema-common.ts';
import { TYPE_URL } from './type-urls.ts';

/** envoy.config.core.v3.SubstitutionFormatString: text formats only. */
export const logFormatSchema = envoyMessage(
  {
    text_format: z.string().optional(),
    text_format_source: inlineStringSourceSchema.optional(),
    // google.protobuf.Struct: keys to format strings (or nested Structs); checked when compiled.
    json_format: z.record(z.string(), z.unknown()).optional(),
  },
  { notYet: ['omit_empty_values', 'content_type', 'formatters', 'json_format_options'] },
);

const streamLogSchema = envoyMessage({ log_format: logFormatSchema.optional() });

const fileLogSchema = envoyMessage(
  {
    path: nonEmptyString,
    format: z.string().optional(),
    log_format: logFormatSchema.optional(),
  },
  { notYet: ['json_format', 'typed_json_format'] },
);

export const accessLogSchema = envoyMessage(
  {
    name: z.string().optional(),
    typed_config: typedConfig({
      [TYPE_URL.stdoutAccessLog]: streamLogSchema,
      [TYPE_URL.stderrAccessLog]: streamLogSchema,
      [TYPE_URL.fileAccessLog]: fileLogSchema,
    }),
  },
  { notYet: ['filter'], removed: { config: 'use typed_config' } },
);

export type AccessLogInput = z.output<typeof accessLogSchema>;
