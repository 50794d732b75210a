// Number formatting the way Envoy's fmt calls print doubles, so our text matches byte for byte.

/**
 * C's `%.<precision>g` (Envoy prints histogram bounds and sums with `{:.32g}`): `precision` significant
 * digits, trailing zeros dropped, scientific notation only when the exponent is < -4 or >= precision.
 */
export function formatG(x: number, precision = 32): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // Exact integers print the same digits either way, and this path is much cheaper.
  if (Number.isSafeInteger(x)) return String(x);
  const [mantissa = '', expText = '0'] = x.toExponential(precision - 1).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    const m = stripZeros(mantissa);
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return stripZeros(x.toFixed(Math.max(0, precision - 1 - exp)));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** fmt's `{}` for a double (shortest round-trip text), with Envoy's spelling of NaN. */
export function formatShortest(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(x);
}
