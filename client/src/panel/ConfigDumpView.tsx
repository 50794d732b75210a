// A sidecar's /config_dump, pretty-printed, with a filter box: matches are highlighted, and "only
// matching lines" turns the view into a grep that names where each line sits in the document (a
// dump nests ten levels deep; the indentation alone says little). Fetched only once opened.
import { useId, useMemo, useState } from 'react';
import { useSidecarConfigDump } from '../api/sidecar-detail-client.ts';
import { jsonLines } from './json-lines.ts';
import { filterLines, segments } from './line-filter.ts';

/** Lines put in the DOM at once; past this the filter narrows the view. */
const LINE_LIMIT = 2_000;

export function ConfigDumpView({ sidecarId }: { sidecarId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="config-dump" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Configuration (config_dump)</summary>
      {open && <ConfigDumpBody sidecarId={sidecarId} />}
    </details>
  );
}

function ConfigDumpBody({ sidecarId }: { sidecarId: string }) {
  const q = useSidecarConfigDump(sidecarId, true);
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(true);
  const filterId = useId();
  const doc = useMemo(() => (q.data ? jsonLines(q.data) : []), [q.data]);
  const texts = useMemo(() => doc.map((l) => l.text), [doc]);
  const view = useMemo(
    () => filterLines(texts, query, { onlyMatches, limit: LINE_LIMIT }),
    [texts, query, onlyMatches],
  );
  const lines = texts;
  if (q.isPending) return <p className="muted">Loading…</p>;
  if (q.isError) return <p role="alert">The configuration could not be read: {q.error.message}</p>;
  const filtering = query.trim() !== '';
  const grep = filtering && onlyMatches;
  return (
    <div>
      <div className="config-filter">
        <label htmlFor={filterId}>Filter</label>{' '}
        <input
          id={filterId}
          type="search"
          value={query}
          placeholder="e.g. weighted_clusters"
          onChange={(e) => setQuery(e.target.value)}
        />{' '}
        <label>
          <input type="checkbox" checked={onlyMatches} onChange={(e) => setOnlyMatches(e.target.checked)} />{' '}
          only matching lines
        </label>{' '}
        <button type="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Reloading…' : 'Reload'}
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {filtering ? `${view.matching} of ${lines.length} lines match` : `${lines.length} lines`}
        {view.truncated && ` — showing the first ${view.lines.length}; narrow the filter to see more`}
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to be scrolled from the keyboard (WCAG 2.1.1) */}
      <section className="config-lines" tabIndex={0} aria-label="Configuration lines">
        {view.lines.map((l) => (
          <div key={l.line} className="config-line">
            <span className="line-no" aria-hidden="true">
              {l.line}
            </span>
            {grep ? (
              <span className="line-path">{doc[l.line - 1]?.path || '(root)'}</span>
            ) : (
              '  '.repeat(doc[l.line - 1]?.depth ?? 0)
            )}
            {segments(l).map((s, i) =>
              s.match ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: segments of one fixed line, in order
                <mark key={i}>{s.text}</mark>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: segments of one fixed line, in order
                <span key={i}>{s.text}</span>
              ),
            )}
          </div>
        ))}
      </section>
    </div>
  );
}
