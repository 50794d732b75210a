// `%START_TIME%` and `%START_TIME(<format>)%` of Envoy's access log ("Command Operators" in the Envoy
// access logging docs). Without a format Envoy prints ISO 8601 in UTC with milliseconds,
// `2024-01-02T03:04:05.678Z`. With one it follows strftime (`std::put_time`), always in UTC, plus Envoy's
// own `%s` (epoch seconds) and `%f` / `%1f`..`%9f` (fraction of the second, default 9 digits). We take
// the strftime subset that access log formats use in practice and reject anything else at load time.
// Both forms cache the part that only changes once a second: one log line per request would otherwise
// rebuild the same date string thousands of times a second.

export class StartTimeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartTimeFormatError';
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_FULL = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_FULL = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const SUPPORTED = '%Y %m %d %e %H %M %S %y %j %a %A %b %B %p %z %Z %s %T %F %D %f %1f..%9f %E1S..%E9S %%';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A part of a compiled format: literal text, a field of the whole second, or N fraction digits. */
type Part = string | ((d: Date) => string) | number;

/** Compiles a START_TIME format once; the result renders an epoch-milliseconds time. */
export function compileStartTimeFormat(pattern?: string): (epochMs: number) => string {
  if (pattern === undefined || pattern === '') return isoMillis();
  const parts = parsePattern(pattern);
  let cachedSecond = Number.NaN;
  // Per-second rendering: literals and second-level fields joined, fraction parts left as digit counts.
  let segments: (string | number)[] = [];
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second !== cachedSecond) {
      cachedSecond = second;
      segments = renderSecond(parts, new Date(second * 1000));
    }
    if (segments.length === 1 && typeof segments[0] === 'string') return segments[0];
    // An epoch-ms double resolves ~0.25 µs today, so round to whole microseconds (else 12.345 ms
    // could print as 012344 µs); the last three of nine digits are then 0.
    const nanos = Math.min(999_999_000, Math.round((epochMs - second * 1000) * 1000) * 1000);
    const digits = String(nanos).padStart(9, '0');
    let out = '';
    for (const s of segments) out += typeof s === 'string' ? s : digits.slice(0, s);
    return out;
  };
}

// Envoy's default START_TIME: `%Y-%m-%dT%H:%M:%E3SZ` in UTC, which is exactly Date#toISOString.
function isoMillis(): (epochMs: number) => string {
  let cachedSecond = Number.NaN;
  let prefix = '';
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second !== cachedSecond) {
      cachedSecond = second;
      prefix = new Date(second * 1000).toISOString().slice(0, -4); // `2024-01-02T03:04:05.`
    }
    const ms = Math.floor(epochMs - second * 1000);
    return `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  };
}

function renderSecond(parts: Part[], d: Date): (string | number)[] {
  const out: (string | number)[] = [];
  for (const p of parts) {
    const s = typeof p === 'function' ? p(d) : p;
    const last = out[out.length - 1];
    if (typeof s === 'string' && typeof last === 'string') out[out.length - 1] = last + s;
    else out.push(s);
  }
  return out;
}

function parsePattern(pattern: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') parts.push(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== '%') {
      literal += c;
      continue;
    }
    const spec = pattern[i + 1];
    if (spec === '%') {
      literal += '%';
      i++;
      continue;
    }
    // `%Nf`: N fraction digits; `%ENS`: seconds with N fraction digits (absl's extension Envoy uses).
    if (spec !== undefined && spec >= '1' && spec <= '9' && pattern[i + 2] === 'f') {
      flush();
      parts.push(Number(spec));
      i += 2;
      continue;
    }
    if (spec === 'E' && pattern[i + 3] === 'S' && /[1-9]/.test(pattern[i + 2] ?? '')) {
      flush();
      parts.push((d) => pad2(d.getUTCSeconds()), '.', Number(pattern[i + 2]));
      i += 3;
      continue;
    }
    const field = spec === undefined ? undefined : FIELDS[spec];
    if (field === undefined) {
      const what = spec === undefined ? 'a lone "%" at the end' : `"%${spec}"`;
      throw new StartTimeFormatError(
        `unsupported START_TIME format ${what} in ${JSON.stringify(pattern)} (supported: ${SUPPORTED})`,
      );
    }
    flush();
    parts.push(field);
    i++;
  }
  flush();
  return parts;
}

const FIELDS: Record<string, Part> = {
  Y: (d) => String(d.getUTCFullYear()),
  m: (d) => pad2(d.getUTCMonth() + 1),
  d: (d) => pad2(d.getUTCDate()),
  e: (d) => String(d.getUTCDate()).padStart(2, ' '),
  H: (d) => pad2(d.getUTCHours()),
  M: (d) => pad2(d.getUTCMinutes()),
  S: (d) => pad2(d.getUTCSeconds()),
  y: (d) => pad2(d.getUTCFullYear() % 100),
  j: (d) => String(dayOfYear(d)).padStart(3, '0'),
  a: (d) => DAYS[d.getUTCDay()]!,
  A: (d) => DAYS_FULL[d.getUTCDay()]!,
  b: (d) => MONTHS[d.getUTCMonth()]!,
  B: (d) => MONTHS_FULL[d.getUTCMonth()]!,
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  z: '+0000',
  Z: 'UTC',
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  T: (d) => `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  F: (d) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
  D: (d) => `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${pad2(d.getUTCFullYear() % 100)}`,
  f: 9,
};

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}
