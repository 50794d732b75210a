// Envoy's `safe_regex` is RE2 (google_re2). JavaScript's RegExp is close enough for route and header
// matching once the few syntax differences are translated, but RE2 deliberately lacks backreferences and
// lookaround: a config using them is rejected by Envoy, so it is rejected here too rather than accepted
// with a meaning Envoy would never give it.
//
// Envoy matches safe_regex against the whole value (RE2::FullMatch), so the result is anchored.

/** Thrown with a human-readable reason; the caller adds the field path. */
export class RegexSyntaxError extends Error {}

const RE2_FLAGS: Record<string, string> = { i: 'i', s: 's', m: 'm' };

function translate(pattern: string): { source: string; flags: string } {
  let flags = '';
  let rest = pattern;
  // RE2 allows flags for the whole pattern as a leading group: (?i), (?is) …
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (leading?.[1] !== undefined) {
    for (const f of leading[1]) {
      const js = RE2_FLAGS[f];
      if (js === undefined) throw new RegexSyntaxError(`flag "${f}" is not supported`);
      if (!flags.includes(js)) flags += js;
    }
    rest = rest.slice(leading[0].length);
  }

  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) throw new RegexSyntaxError('trailing backslash');
      if (!inClass && /[1-9]/.test(next))
        throw new RegexSyntaxError('backreferences are not supported by RE2');
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && next === 'z') out += '$';
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in RE2 as in POSIX; JavaScript needs it escaped.
      if (rest[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (rest[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && rest[i + 1] === '?') {
      const ahead = rest.slice(i + 2, i + 4);
      if (ahead.startsWith('=') || ahead.startsWith('!') || ahead === '<=' || ahead === '<!') {
        throw new RegexSyntaxError('lookahead and lookbehind are not supported by RE2');
      }
      if (rest[i + 2] === 'P' && rest[i + 3] === '<') {
        // RE2's Python-style named group (?P<name>…) is (?<name>…) in JavaScript.
        out += '(?<';
        i += 3;
        continue;
      }
    }
    out += c;
  }
  if (inClass) throw new RegexSyntaxError('missing closing ]');
  return { source: out, flags };
}

/** Compiles an RE2 pattern to a RegExp that must match the entire input. */
export function compileRe2(pattern: string): RegExp {
  const { source, flags } = translate(pattern);
  const anchored = `^(?:${source})$`;
  try {
    // Unicode mode first (RE2 works on UTF-8 code points and knows \p{…}); RE2 also allows escaping any
    // punctuation (`\-`, `\#`), which only non-Unicode mode accepts.
    return new RegExp(anchored, `${flags}u`);
  } catch (unicodeError) {
    try {
      return new RegExp(anchored, flags);
    } catch {
      const reason = unicodeError instanceof Error ? unicodeError.message : String(unicodeError);
      throw new RegexSyntaxError(reason.replace(/^Invalid regular expression: /, ''));
    }
  }
}
