// google.protobuf.Duration in proto3 JSON: decimal seconds with an "s" suffix ("5s", "0.25s", "1.5s",
// up to nine fractional digits), or the message form {seconds, nanos}. Envoy rejects anything else
// ("Illegal duration format"), so do we. Negative durations are legal protobuf but no field we support
// accepts one, so they are refused here.

const MAX_SECONDS = 315_576_000_000; // the Duration range: ±10,000 years

/** Milliseconds, or a message explaining why the value is not a duration. */
export function parseDuration(input: unknown): number | string {
  if (typeof input === 'string') {
    const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(input);
    if (m === null)
      return `is not a duration: expected a string like "5s" or "0.25s", got ${JSON.stringify(input)}`;
    if (m[1] === '-') return `must not be negative, got ${JSON.stringify(input)}`;
    const seconds = Number(m[2]);
    if (seconds > MAX_SECONDS) return `is out of range: ${JSON.stringify(input)}`;
    const nanos = Number((m[3] ?? '').padEnd(9, '0'));
    return seconds * 1000 + nanos / 1e6;
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { seconds = 0, nanos = 0, ...rest } = input as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined)
      return `is not a duration: unknown field "${unknown}" (expected seconds, nanos)`;
    const s = typeof seconds === 'string' && /^-?\d+$/.test(seconds) ? Number(seconds) : seconds;
    if (
      typeof s !== 'number' ||
      !Number.isInteger(s) ||
      typeof nanos !== 'number' ||
      !Number.isInteger(nanos)
    ) {
      return 'is not a duration: seconds and nanos must be integers';
    }
    if (s < 0 || nanos < 0) return 'must not be negative';
    if (s > MAX_SECONDS || nanos > 999_999_999) return 'is out of range';
    return s * 1000 + nanos / 1e6;
  }
  return `is not a duration: expected a string like "5s" or {seconds, nanos}, got ${
    typeof input === 'number' ? `the number ${input} (add a unit: "${input}s")` : typeof input
  }`;
}
