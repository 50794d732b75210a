// The configuration viewer's filter: which lines of the pretty-printed config dump to show and where
// the matches are in each, so the view can highlight them. Case-insensitive plain text, not a regex:
// cluster names are full of `.` and `|`.

export interface LineMatch {
  /** 1-based line number in the whole document. */
  line: number;
  text: string;
  /** [start, end) of each match in `text`. */
  ranges: [number, number][];
}

export interface FilteredLines {
  lines: LineMatch[];
  /** Lines that match (all lines without a query). */
  matching: number;
  /** True when `lines` stops at the limit. */
  truncated: boolean;
}

export interface FilterOptions {
  /** Show only the matching lines (otherwise every line, with the matches highlighted). */
  onlyMatches: boolean;
  /** Most lines returned (the DOM of a multi-MB dump would freeze the page). */
  limit: number;
}

export function matchRanges(text: string, needle: string): [number, number][] {
  if (needle === '') return [];
  const hay = text.toLowerCase();
  const out: [number, number][] = [];
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) {
    out.push([i, i + needle.length]);
  }
  return out;
}

export function filterLines(all: readonly string[], query: string, opts: FilterOptions): FilteredLines {
  const needle = query.trim().toLowerCase();
  const lines: LineMatch[] = [];
  let matching = 0;
  all.forEach((text, i) => {
    const ranges = matchRanges(text, needle);
    const matches = needle === '' || ranges.length > 0;
    if (matches) matching++;
    if ((matches || !opts.onlyMatches || needle === '') && lines.length < opts.limit) {
      lines.push({ line: i + 1, text, ranges });
    }
  });
  const shown = needle === '' || !opts.onlyMatches ? all.length : matching;
  return { lines, matching, truncated: shown > lines.length };
}

/** A highlighted line as segments: plain text and matches, in order. */
export function segments(m: LineMatch): { text: string; match: boolean }[] {
  const out: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const [start, end] of m.ranges) {
    if (start > at) out.push({ text: m.text.slice(at, start), match: false });
    out.push({ text: m.text.slice(start, end), match: true });
    at = end;
  }
  if (at < m.text.length || out.length === 0) out.push({ text: m.text.slice(at), match: false });
  return out;
}
