// Building blocks for the zod schemas that mirror Envoy's v3 protos: strict messages (unknown fields are
// errors), fields Envoy has but we do not implement yet (errors saying so), proto3 JSON scalars (integers
// may be strings, durations are "1.5s" or {seconds, nanos}), and the messages shared by several areas.

import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { compileRe2, RegexSyntaxError } from './re2-regex.ts';
import { described } from './schema-describe.ts';

/** The wording of every "Envoy has it, we do not (yet)" rejection, so users and tests can tell it apart. */
export const NOT_SUPPORTED_YET = 'not supported by meshscope-proxy yet';
export const NOT_YET = `is ${NOT_SUPPORTED_YET}`;

/** Every field name any schema knows, to suggest the intended name for a misspelt one. */
export const knownFieldNames = new Set<string>();

/** A leaf parser rejects its input by throwing this; the schema turns it into an issue at the field. */
export class LeafError extends Error {}

/** Short rendering of a value for messages. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A proto message: a strict object. `notYet` lists fields Envoy has that we reject as not implemented
 * (to implement one, move it from the list into the shape); `removed` maps v2 fields that Envoy's v3 API
 * dropped to a hint. The extra fields never parse, so the output type is exactly the shape's.
 */
export function envoyMessage<S extends z.core.$ZodLooseShape>(
  shape: S,
  extra: { notYet?: readonly string[]; removed?: Readonly<Record<string, string>> } = {},
): z.ZodObject<S, z.core.$strict> {
  const full: Record<string, z.ZodType> = { ...shape };
  for (const name of extra.notYet ?? []) full[name] = z.never({ error: NOT_YET }).optional();
  for (const [name, hint] of Object.entries(extra.removed ?? {})) {
    full[name] = z.never({ error: `was removed in Envoy's v3 API; ${hint}` }).optional();
  }
  for (const name of Object.keys(full)) knownFieldNames.add(name);
  return z.strictObject(full) as unknown as z.ZodObject<S, z.core.$strict>;
}

/** A scalar parsed by our own function (so messages are ours); a missing value "is required". */
export function leaf<T>(parse: (input: unknown) => T) {
  return z.unknown().transform((input, ctx): T => {
    if (input === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    try {
      return parse(input);
    } catch (err) {
      if (!(err instanceof LeafError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  });
}

// proto3 JSON writes 64-bit integers as strings and parsers accept strings for any integer.
function protoInteger(min: number, max: number) {
  const parse = leaf((input) => {
    const n = typeof input === 'string' && /^-?\d+$/.test(input) ? Number(input) : input;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw new LeafError(`must be an integer, got ${describeValue(input)}`);
    }
    if (n < min || n > max) throw new LeafError(`must be between ${min} and ${max}, got ${n}`);
    return n;
  });
  return described(parse, { kind: 'scalar', text: `integer ${min}–${max}` });
}

export const UINT32_MAX = 4_294_967_295;
export const uint32 = protoInteger(0, UINT32_MAX);
export const port = protoInteger(0, 65_535);
export const httpStatus = protoInteger(100, 599);

/** google.protobuf.Duration → milliseconds. */
export const durationMs = described(
  leaf((input) => {
    const result = parseDuration(input);
    if (typeof result === 'string') throw new LeafError(result);
    return result;
  }),
  { kind: 'scalar', text: 'duration' },
);

/** A proto enum, by name. Known Envoy values we do not implement get a "not supported yet" message. */
export function envoyEnum<const T extends string>(
  supported: readonly T[],
  knownUnsupported: readonly string[] = [],
) {
  const parse = leaf((input): T => {
    if (typeof input === 'string' && (supported as readonly string[]).includes(input)) return input as T;
    if (typeof input === 'string' && knownUnsupported.includes(input)) {
      throw new LeafError(`is ${input}, which ${NOT_YET}`);
    }
    throw new LeafError(`must be one of ${supported.join(', ')}; got ${describeValue(input)}`);
  });
  return described(parse, { kind: 'enum', supported, notYet: knownUnsupported });
}

export const nonEmptyString = z.string().min(1);

/** An RE2 pattern, compiled and anchored (Envoy full-matches safe_regex). */
export const re2Pattern = described(
  leaf((input) => {
    if (typeof input !== 'string') throw new LeafError(`must be a string, got ${describeValue(input)}`);
    try {
      return compileRe2(input);
    } catch (err) {
      if (err instanceof RegexSyntaxError) throw new LeafError(`is not a valid RE2 regex: ${err.message}`);
      throw err;
    }
  }),
  { kind: 'scalar', text: 'RE2 regex' },
);

/** envoy.type.matcher.v3.RegexMatcher. `google_re2: {}` is the deprecated engine selector, accepted. */
export const regexMatcherSchema = envoyMessage({
  google_re2: envoyMessage({}, { notYet: ['max_program_size'] }).optional(),
  regex: re2Pattern,
});

/** envoy.type.matcher.v3.StringMatcher; the converter checks that exactly one pattern is set. */
export const stringMatcherSchema = envoyMessage(
  {
    exact: z.string().optional(),
    prefix: nonEmptyString.optional(),
    suffix: nonEmptyString.optional(),
    contains: nonEmptyString.optional(),
    safe_regex: regexMatcherSchema.optional(),
    ignore_case: z.boolean().optional(),
  },
  { notYet: ['custom'] },
);

/** envoy.config.core.v3.DataSource where only an inline string is supported. */
export const inlineStringSourceSchema = envoyMessage(
  { inline_string: z.string() },
  { notYet: ['filename', 'inline_bytes', 'environment_variable', 'watched_directory'] },
);

/** envoy.config.core.v3.SocketAddress. */
export const socketAddressSchema = envoyMessage(
  {
    address: nonEmptyString,
    port_value: port,
    protocol: envoyEnum(['TCP'], ['UDP']).optional(),
  },
  { notYet: ['named_port', 'resolver_name', 'ipv4_compat', 'network_namespace_filepath'] },
);

/** envoy.config.core.v3.Address: only socket addresses. */
export const addressSchema = envoyMessage(
  { socket_address: socketAddressSchema },
  { notYet: ['pipe', 'envoy_internal_address'] },
);

function typeUrlMessage(got: string, expected: readonly string[]): string {
  const want = expected.map((t) => `"${t}"`).join(' or ');
  if (/\.v2(alpha)?\./.test(got))
    return `is the v2 API type "${got}", which Envoy's v3 API removed; use ${want}`;
  if (got.startsWith('type.googleapis.com/envoy.') || got.startsWith('type.googleapis.com/udpa.')) {
    return `is "${got}", which ${NOT_YET} (supported here: ${want})`;
  }
  return `must be ${want}; got "${got}"`;
}

type TypedConfigOf<M extends Record<string, z.ZodType>> = {
  [K in keyof M & string]: { typeUrl: K; config: z.output<M[K]> };
}[keyof M & string];

/**
 * A `typed_config` (google.protobuf.Any in JSON form): `@type` picks the message, the other keys are its
 * fields. The `@type` is checked first so a wrong type gets one clear message instead of a list of
 * unknown fields.
 */
export function typedConfig<const M extends Record<string, z.ZodType>>(types: M) {
  const expected = Object.keys(types);
  const parse = z.unknown().transform((input, ctx): TypedConfigOf<M> => {
    if (input === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    if (!isPlainObject(input)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an object with an "@type", got ${describeValue(input)}`,
      });
      return z.NEVER;
    }
    const { '@type': typeUrl, ...fields } = input;
    if (typeof typeUrl !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['@type'], message: `is required (${expected.join(' or ')})` });
      return z.NEVER;
    }
    const schema = types[typeUrl];
    if (schema === undefined) {
      ctx.addIssue({ code: 'custom', path: ['@type'], message: typeUrlMessage(typeUrl, expected) });
      return z.NEVER;
    }
    const parsed = schema.safeParse(fields, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
      return z.NEVER;
    }
    return { typeUrl, config: parsed.data } as TypedConfigOf<M>;
  });
  return described(parse, { kind: 'typed_config', types });
}
