import { describe, expect, it } from 'vitest';
import { filterLines, matchRanges, segments } from '../../../../client/src/panel/line-filter.ts';

const dump = JSON.stringify(
  {
    configs: [
      { name: 'backend_v1', weighted_clusters: { clusters: [{ name: 'backend_v1', weight: 80 }] } },
      { name: 'Backend_V2' },
    ],
  },
  null,
  2,
).split('\n');

describe('filterLines', () => {
  it('shows every line, unhighlighted, without a query', () => {
    const v = filterLines(dump, '  ', { onlyMatches: true, limit: 1000 });
    expect(v.lines).toHaveLength(dump.length);
    expect(v.matching).toBe(dump.length);
    expect(v.lines.every((l) => l.ranges.length === 0)).toBe(true);
    expect(v.truncated).toBe(false);
  });

  it('keeps only the matching lines, case-insensitively, with their line numbers', () => {
    const v = filterLines(dump, 'backend_v', { onlyMatches: true, limit: 1000 });
    expect(v.lines.map((l) => l.text.trim())).toEqual([
      '"name": "backend_v1",',
      '"name": "backend_v1",',
      '"name": "Backend_V2"',
    ]);
    expect(v.matching).toBe(3);
    for (const l of v.lines) expect(dump[l.line - 1]).toBe(l.text);
  });

  it('shows every line with the matches marked when not filtering', () => {
    const v = filterLines(dump, 'weight', { onlyMatches: false, limit: 1000 });
    expect(v.lines).toHaveLength(dump.length);
    expect(v.matching).toBe(2);
    expect(v.lines.filter((l) => l.ranges.length > 0).map((l) => l.text.trim())).toEqual([
      '"weighted_clusters": {',
      '"weight": 80',
    ]);
  });

  it('stops at the limit and says so', () => {
    const v = filterLines(dump, '"', { onlyMatches: true, limit: 3 });
    expect(v.lines).toHaveLength(3);
    expect(v.matching).toBeGreaterThan(3);
    expect(v.truncated).toBe(true);
  });
});

describe('matchRanges and segments', () => {
  it('finds every non-overlapping occurrence', () => {
    expect(matchRanges('aXaxa', 'xa')).toEqual([
      [1, 3],
      [3, 5],
    ]);
    expect(matchRanges('aaaa', 'aa')).toEqual([
      [0, 2],
      [2, 4],
    ]);
  });

  it('splits a line into plain text and matches that put it back together', () => {
    const line = {
      line: 1,
      text: 'name: backend_v1 -> backend',
      ranges: matchRanges('name: backend_v1 -> backend', 'backend'),
    };
    const segs = segments(line);
    expect(segs).toEqual([
      { text: 'name: ', match: false },
      { text: 'backend', match: true },
      { text: '_v1 -> ', match: false },
      { text: 'backend', match: true },
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(line.text);
    expect(segments({ line: 2, text: '', ranges: [] })).toEqual([{ text: '', match: false }]);
  });
});
