// parsePrometheusText on hand-written text: the details of format 0.0.4 (HELP/TYPE, escapes, numbers,
// blanks, family assembly, reuse of the previous line's tokens) and how invalid lines are reported.
// The real Envoy / istio-proxy scrapes are in prom-text-parser-envoy-scrapes.test.ts.
import { describe, expect, it } from 'vitest';
import { groupHistograms } from '../../../server/metrics/group-histograms.ts';
import { PromParseError, parsePrometheusText } from '../../../server/metrics/prom-text-parser.ts';

describe('parsePrometheusText: format 0.0.4 details', () => {
  it('reads HELP and TYPE, with HELP escapes', () => {
    const parsed = parsePrometheusText(
      '# HELP rq Requests.\\nSecond line, a backslash \\\\ and C:\\dir kept\n# TYPE rq counter\nrq 3\n',
    );
    const rq = parsed.families.get('rq');
    expect(rq?.help).toBe('Requests.\nSecond line, a backslash \\ and C:\\dir kept');
    expect(rq?.type).toBe('counter');
    expect(rq?.samples.map((s) => s.value)).toEqual([3]);
  });

  it('ignores other comments and blank lines, and accepts CRLF', () => {
    const parsed = parsePrometheusText('# just a comment\r\n\r\n   \r\n#\r\n# TYPE g gauge\r\ng 1.5\r\n\r\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples).toEqual([
      { name: 'g', labels: {}, value: 1.5, timestampMs: undefined, series: 'g' },
    ]);
  });

  it('parses the last line without a trailing newline', () => {
    expect(parsePrometheusText('a 1\nb 2').samples.map((s) => [s.name, s.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('unescapes \\\\, \\" and \\n in label values', () => {
    const parsed = parsePrometheusText('m{path="C:\\\\tmp",msg="say \\"hi\\"",two="a\\nb",plain="x"} 1\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples[0]!.labels).toEqual({ path: 'C:\\tmp', msg: 'say "hi"', two: 'a\nb', plain: 'x' });
  });

  it('keeps commas, braces, equals signs and # inside quoted label values', () => {
    const parsed = parsePrometheusText('m{route="/a,b{c}=d#e"} 2\n');
    expect(parsed.samples[0]!.labels).toEqual({ route: '/a,b{c}=d#e' });
  });

  it('reads NaN, +Inf, -Inf and Go ParseFloat spellings of them', () => {
    const parsed = parsePrometheusText('a NaN\nb +Inf\nc -Inf\nd Inf\ne +inf\nf -Infinity\ng nan\n');
    expect(parsed.errors).toEqual([]);
    const v = parsed.samples.map((s) => s.value);
    expect(v[0]).toBeNaN();
    expect(v.slice(1, 6)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(v[6]).toBeNaN();
  });

  it('reads decimal forms: exponents, signs, leading dot, 32 significant digits', () => {
    const parsed = parsePrometheusText(
      'a 1e3\nb -2.5E-2\nc .5\nd 5.\ne +7\nf 17506.150000000001455191522836685\ng 0.10000000000000000555111512312578\nh 1.7976931348623157e308\n',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples.map((s) => s.value)).toEqual([
      1000, -0.025, 0.5, 5, 7, 17506.15, 0.1, 1.7976931348623157e308,
    ]);
  });

  it('treats `name{} v` and `name v` alike, and keeps timestamps', () => {
    const parsed = parsePrometheusText('a{} 1\na 2 1700000000123\nb{x="1"} 3 -5\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples.map((s) => [s.series, s.labels, s.value, s.timestampMs])).toEqual([
      ['a', {}, 1, undefined],
      ['a', {}, 2, 1700000000123],
      ['b{x="1"}', { x: '1' }, 3, -5],
    ]);
  });

  it('accepts a trailing comma, blanks and tabs between tokens', () => {
    const parsed = parsePrometheusText('m{a="1",b="2",} 1\n  m2 { a = "1" ,\tb=\t"2" , }\t4\t 99\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples.map((s) => [s.name, s.labels, s.value, s.timestampMs])).toEqual([
      ['m', { a: '1', b: '2' }, 1, undefined],
      ['m2', { a: '1', b: '2' }, 4, 99],
    ]);
  });

  it('the series key is the name and label block as written, so it tells series apart', () => {
    const parsed = parsePrometheusText(
      'rq{cluster="a",code="200"} 1\nrq{cluster="a",code="503"} 2\nrq{cluster="b",code="200"} 3\n',
    );
    const keys = parsed.samples.map((s) => s.series);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toBe('rq{cluster="a",code="200"}');
  });

  it('groups histograms with `le` anywhere among the labels, sorted by le, and untyped families apart', () => {
    const text = [
      '# TYPE t histogram',
      't_bucket{le="10",c="a"} 2',
      't_bucket{c="b",le="+Inf"} 7',
      't_bucket{c="a",le="+Inf"} 3',
      't_bucket{le="1",c="a"} 1',
      't_bucket{c="b",le="10"} 5',
      't_sum{c="a"} 12.5',
      't_count{c="a"} 3',
      't_sum{c="b"} 40',
      't_count{c="b"} 7',
      'other_bucket{le="1"} 1',
      '',
    ].join('\n');
    const parsed = parsePrometheusText(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.families.get('t')?.samples).toHaveLength(9);
    expect(parsed.families.get('other_bucket')?.type).toBe('untyped');
    expect(groupHistograms(parsed)).toEqual([
      {
        family: 't',
        labels: { c: 'a' },
        buckets: [
          [1, 1],
          [10, 2],
          [Number.POSITIVE_INFINITY, 3],
        ],
        sum: 12.5,
        count: 3,
      },
      {
        family: 't',
        labels: { c: 'b' },
        buckets: [
          [10, 5],
          [Number.POSITIVE_INFINITY, 7],
        ],
        sum: 40,
        count: 7,
      },
    ]);
  });

  it('takes a histogram count from the +Inf bucket when _count is missing, and NaN sum without _sum', () => {
    const [h] = groupHistograms(parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 4\n'));
    expect(h!.count).toBe(4);
    expect(h!.sum).toBeNaN();
  });

  it('groups summaries under their family with _sum and _count', () => {
    const parsed = parsePrometheusText('# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 10\ns_count 4\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.families.get('s')?.samples.map((x) => x.name)).toEqual(['s', 's_sum', 's_count']);
    expect(groupHistograms(parsed)).toEqual([]);
  });

  it('finds a family again when its samples are not contiguous', () => {
    const parsed = parsePrometheusText('# TYPE h histogram\nh_count 1\n# TYPE g gauge\ng 1\nh_sum 2\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.families.get('h')?.samples.map((s) => s.name)).toEqual(['h_count', 'h_sum']);
  });

  it('reuses strings from the previous line only when they match exactly', () => {
    const parsed = parsePrometheusText(
      [
        'rq{code="200",c="x"} 1',
        'rq_total{code_class="2",c="x"} 2',
        'rq{code="2000",c="xy"} 3',
        'rq{c="x",code="200"} 4',
        'r{code="200"} 5',
        '',
      ].join('\n'),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples.map((s) => [s.name, s.labels])).toEqual([
      ['rq', { code: '200', c: 'x' }],
      ['rq_total', { code_class: '2', c: 'x' }],
      ['rq', { code: '2000', c: 'xy' }],
      ['rq', { c: 'x', code: '200' }],
      ['r', { code: '200' }],
    ]);
  });

  it('still finds a duplicate label after the previous lines changed the label names', () => {
    const parsed = parsePrometheusText('m{a="1",b="2"} 1\nm{b="1"} 2\nm{b="1",b="2"} 3\nm{a="1",a="1"} 4\n');
    expect(parsed.errors.map((e) => [e.line, e.reason])).toEqual([
      [3, 'duplicate label b'],
      [4, 'duplicate label a'],
    ]);
  });

  it('reads lines that repeat the previous line in part (fewer, more, longer or escaped labels) correctly', () => {
    const parsed = parsePrometheusText(
      [
        'm{a="1",b="2",c="3"} 1',
        'm{a="1",b="2"} 2', // the previous line minus its last label
        'm{a="1",b="2",c="3",d="4"} 3', // plus one
        'm{a="1",b="23"} 4', // a value that extends the previous one
        'm{a="1",b="2\\\\",c="3"} 5', // same bytes up to an escaped backslash
        'm_x{a="1",b="2"} 6', // a longer name with the same start
        'm {a="1",b="2"} 7', // a blank before the label set
        'm{a="1",b="2"} 8',
        'm{a="1",b=} 9', // a bad label set: the next line must not build on it
        'm{a="1",b="5"} 10',
        'm{a="1",b="5"} 11', // identical label set: the same labels
        '',
      ].join('\n'),
    );
    expect(parsed.errors.map((e) => e.line)).toEqual([9]);
    expect(parsed.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['m', { a: '1', b: '2', c: '3' }, 1],
      ['m', { a: '1', b: '2' }, 2],
      ['m', { a: '1', b: '2', c: '3', d: '4' }, 3],
      ['m', { a: '1', b: '23' }, 4],
      ['m', { a: '1', b: '2\\', c: '3' }, 5],
      ['m_x', { a: '1', b: '2' }, 6],
      ['m', { a: '1', b: '2' }, 7],
      ['m', { a: '1', b: '2' }, 8],
      ['m', { a: '1', b: '5' }, 10],
      ['m', { a: '1', b: '5' }, 11],
    ]);
    expect(parsed.samples.map((s) => Object.keys(s.labels).length)).toEqual([3, 2, 4, 2, 3, 2, 2, 2, 2, 2]);
  });

  it('finds a duplicate label in a line that repeats the previous one up to it', () => {
    const parsed = parsePrometheusText('m{a="1",b="2"} 1\nm{a="1",a="2"} 2\nm{a="1",b="2",a="3"} 3\n');
    expect(parsed.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'duplicate label a'],
      [3, 'duplicate label a'],
    ]);
  });

  it('keeps histogram series apart when one has an extra label', () => {
    const series = groupHistograms(
      parsePrometheusText(
        '# TYPE h histogram\nh_bucket{c="a",le="+Inf"} 1\nh_bucket{c="a",d="x",le="+Inf"} 2\nh_bucket{c="a",le="1"} 0\n',
      ),
    );
    expect(series.map((s) => [s.labels, s.buckets])).toEqual([
      [
        { c: 'a' },
        [
          [1, 0],
          [Number.POSITIVE_INFINITY, 1],
        ],
      ],
      [{ c: 'a', d: 'x' }, [[Number.POSITIVE_INFINITY, 2]]],
    ]);
  });

  it('labels named like Object.prototype members are ordinary labels', () => {
    const parsed = parsePrometheusText('m{constructor="a",toString="b",hasOwnProperty="c"} 1\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples[0]!.labels).toEqual({ constructor: 'a', toString: 'b', hasOwnProperty: 'c' });
  });
});

describe('parsePrometheusText: invalid lines become error records', () => {
  const cases: [string, string, RegExp][] = [
    ['garbage text', 'this is not a metric', /invalid value "is"/],
    ['HTML from a sidecar', '<html><body>502 Bad Gateway</body></html>', /expected a metric name, found "<"/],
    ['missing value', 'm{a="1"}', /missing value for m/],
    ['bad value', 'm 12abc', /invalid value "12abc"/],
    ['hex value (JS Number would accept it)', 'm 0x10', /invalid value "0x10"/],
    ['bad timestamp', 'm 1 12.5', /invalid timestamp "12.5"/],
    ['text after the timestamp', 'm 1 2 3', /unexpected text after the timestamp/],
    ['unterminated label value', 'm{a="1} 2', /unterminated value of label a/],
    ['unterminated label set', 'm{a="1" 2', /expected "," or "}"/],
    ['unknown escape', 'm{a="\\t"} 1', /invalid escape sequence \\t/],
    ['duplicate label', 'm{a="1",a="2"} 1', /duplicate label a/],
    ['unquoted label value', 'm{a=1} 1', /expected '"' to open the value of label a/],
    ['empty label name', 'm{="1"} 1', /expected a label name/],
    ['double comma', 'm{a="1",,b="2"} 1', /expected a label name, found ","/],
    ['bad metric name char', 'my-metric 1', /invalid character "-" in metric name/],
    ['__proto__ label', 'm{__proto__="x"} 1', /__proto__ is not supported/],
    ['unknown TYPE', '# TYPE m meter', /unknown metric type "meter"/],
    ['TYPE without name', '# TYPE', /# TYPE without a valid metric name/],
    ['text after the TYPE', '# TYPE m counter extra', /unexpected text after the type/],
  ];

  it.each(cases)('%s', (_what, line, reason) => {
    const parsed = parsePrometheusText(`ok_before 1\n${line}\nok_after 2\n`);
    expect(parsed.errorCount).toBe(1);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]!.line).toBe(2);
    expect(parsed.errors[0]!.reason).toMatch(reason);
    expect(parsed.errors[0]!.text).toBe(line);
    // The rest of the scrape survives.
    expect(parsed.samples.map((s) => s.name)).toEqual(['ok_before', 'ok_after']);
  });

  it('rejects histogram buckets without a numeric le and summary samples without quantile', () => {
    const parsed = parsePrometheusText(
      '# TYPE h histogram\nh_bucket{c="a"} 1\nh_bucket{le="x"} 1\nh 3\nh_sum 1\n# TYPE s summary\ns 1\ns_count 2\n',
    );
    expect(parsed.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'h_bucket has no "le" label'],
      [3, 'h_bucket has a non-numeric le="x"'],
      [4, 'histogram h sample without a _bucket, _sum or _count suffix'],
      [7, 's has no "quantile" label'],
    ]);
    expect(parsed.samples.map((s) => s.name)).toEqual(['h_sum', 's_count']);
  });

  it('reports a second TYPE, a TYPE after samples and a second HELP, keeping the first reading', () => {
    const parsed = parsePrometheusText(
      '# HELP c first\n# TYPE c counter\n# TYPE c gauge\n# HELP c again\nc 1\ng 2\n# TYPE g gauge\n',
    );
    expect(parsed.errors.map((e) => [e.line, e.reason])).toEqual([
      [3, 'second # TYPE line for c'],
      [4, 'second # HELP line for c'],
      [7, '# TYPE line for g after its samples'],
    ]);
    expect(parsed.families.get('c')).toMatchObject({ type: 'counter', help: 'first' });
    expect(parsed.families.get('g')?.type).toBe('untyped');
  });

  it('caps the error records but counts every bad line, and cuts long lines', () => {
    const garbage = `${'x'.repeat(500)} y\n`.repeat(250);
    const parsed = parsePrometheusText(`good 1\n${garbage}`, { maxErrors: 10 });
    expect(parsed.errorCount).toBe(250);
    expect(parsed.errors).toHaveLength(10);
    expect(parsed.errors[9]!.line).toBe(11);
    expect(parsed.errors[0]!.text).toHaveLength(200);
    expect(parsed.samples).toHaveLength(1);
  });

  it('survives binary junk without throwing', () => {
    const junk = String.fromCharCode(...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 65536));
    const parsed = parsePrometheusText(`a 1\n${junk}\nb 2\n`);
    expect(parsed.errorCount).toBeGreaterThan(0);
    expect(parsed.samples.map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('strict mode throws a PromParseError at the first bad line', () => {
    const run = () => parsePrometheusText('a 1\nb{x="1" 2\nc oops\n', { strict: true });
    expect(run).toThrow(PromParseError);
    expect(run).toThrow(/^line 2: expected "," or "}"/);
    try {
      run();
    } catch (e) {
      expect(e).toMatchObject({ line: 2 });
    }
    expect(parsePrometheusText('a 1\n', { strict: true }).samples).toHaveLength(1);
  });
});
