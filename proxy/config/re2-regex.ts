// Envoy's `safe_regex` is RE2 (google_re2). JavaScript's RegExp is close enough for route and header
// matching once the few syntax differences are translated, but RE2 deliberately lacks backreferences and
// lookaround: a config using them is rejected by Envoy, so it is rejected here too rather than accepted
// with a meaning Envoy would never give it.
//
// Envoy matches safe_regex against the whole value (RE2::FullMatch), so the result is anchored.

/** Thrown with a human-readable reason; the caller adds the field path. */
export class RegexSyntaxError extends Error {}

const RE2_FLAGS: Record<string, string> = { i: 'i', s: 's', m: 'm' };

const SYNTAX_CHARACTERS = '^$\\.*+?()[]{}|/';

// RE2 names general categories (\pL, \p{Lu}) and scripts (\p{Greek}) alike; JavaScript wants
// Script= before a script name. `^` inside the braces negates, as \P does.
function unicodeProperty(negated: boolean, name: string): string {
  let negate = negated;
  let property = name;
  if (property.startsWith('^')) {
    negate = !negate;
    property = property.slice(1);
  }
  if (!/^[A-Za-z_]+$/.test(property)) throw new RegexSyntaxError(`invalid Unicode class "${name}"`);
  const js = /^[A-Z][a-z]?$/.test(property) || property === 'Any' ? property : `Script=${property}`;
  return `\\${negate ? 'P' : 'p'}{${js}}`;
}

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
      i++;
      if (!inClass && /[1-9]/.test(next))
        throw new RegexSyntaxError('backreferences are not supported by RE2');
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && next === 'z') out += '$';
      else if (next === 'p' || next === 'P') {
        // \pL (one letter) or \p{Greek} (up to the closing brace).
        let name: string | undefined;
        if (rest[i + 1] === '{') {
          const close = rest.indexOf('}', i + 2);
          if (close < 0) throw new RegexSyntaxError('unterminated \\p{…}');
          name = rest.slice(i + 2, close);
          i = close;
        } else {
          name = rest[i + 1];
          if (name === undefined) throw new RegexSyntaxError('unterminated \\p');
          i++;
        }
        out += unicodeProperty(next === 'P', name);
      } else if (next === 'x' && rest[i + 1] === '{')
        out += '\\u'; // \x{263a} is \u{263a} in JavaScript
      else if (/[A-Za-z0-9]/.test(next) || SYNTAX_CHARACTERS.includes(next) || (inClass && next === '-'))
        out += c + next;
      // RE2 lets any punctuation be escaped; Unicode-mode JavaScript only syntax characters.
      else out += next;
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
  try {
    // Unicode mode: RE2 works on code points, and the mode's stricter syntax catches more mistakes.
    return new RegExp(`^(?:${source})$`, `${flags}u`);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RegexSyntaxError(reason.replace(/^Invalid regular expression: /, ''));
  }
}
