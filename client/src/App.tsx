// The application shell: navigation between the pages; each page owns its data through react-query.
import { useEffect, useState } from 'react';
import { useAlerts } from './api/alerts-client.ts';
import { AlertsPage } from './pages/AlertsPage.tsx';
import { GraphPage } from './pages/GraphPage.tsx';
import { RoutesPage } from './pages/RoutesPage.tsx';
import { SidecarsPage } from './pages/SidecarsPage.tsx';

const PAGES = { graph: 'Graph', routes: 'Routes', sidecars: 'Sidecars', alerts: 'Alerts' } as const;
type Page = keyof typeof PAGES;

function pageFromHash(): Page {
  const p = window.location.hash.replace(/^#\/?/, '').split('?')[0];
  return p && p in PAGES ? (p as Page) : 'graph';
}

export function App() {
  const [page, setPage] = useState<Page>(pageFromHash);
  const firing = useAlerts().data?.alerts.filter((a) => a.state === 'firing').length ?? 0;
  // The graph's view lives in its URL (namespaces, type, labels, find/hide, selection): coming back to
  // it from another page restores the last one instead of starting over.
  const [graphHash, setGraphHash] = useState(() =>
    pageFromHash() === 'graph' && window.location.hash ? window.location.hash : '#/graph',
  );
  useEffect(() => {
    const onHash = (ev: HashChangeEvent) => {
      setPage(pageFromHash());
      // The graph page keeps its URL current with replaceState (no hashchange), so its last state is
      // the URL being left.
      const left = new URL(ev.oldURL).hash;
      if (left.startsWith('#/graph')) setGraphHash(left);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">meshscope</span>
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as Page[]).map((p) => (
            <a
              key={p}
              href={p === 'graph' ? graphHash : `#/${p}`}
              aria-current={p === page ? 'page' : undefined}
            >
              {PAGES[p]}
              {p === 'alerts' && firing > 0 && (
                <span className="alert-count" data-testid="alert-count" title={`${firing} firing`}>
                  {firing}
                </span>
              )}
            </a>
          ))}
        </nav>
      </header>
      <main className="app-main">
        {page === 'graph' && <GraphPage />}
        {page === 'routes' && <RoutesPage />}
        {page === 'sidecars' && <SidecarsPage />}
        {page === 'alerts' && <AlertsPage />}
      </main>
    </div>
  );
}
