// The graph page's state, kept in the URL (`#/graph?…`, url-state.ts) so any view can be linked to,
// and restored when the link is opened or the user goes back and forth in history.
import { useCallback, useEffect, useState } from 'react';
import { type GraphUrlState, parseGraphUrlState, serializeGraphUrlState } from './url-state.ts';

const PAGE = '#/graph';

function queryOfHash(hash: string): string {
  const i = hash.indexOf('?');
  return i < 0 ? '' : hash.slice(i + 1);
}

export function useGraphUrlState(): [GraphUrlState, (patch: Partial<GraphUrlState>) => void] {
  const [state, setState] = useState(() => parseGraphUrlState(queryOfHash(window.location.hash)));

  useEffect(() => {
    const onHash = () => {
      if (window.location.hash.startsWith(PAGE))
        setState(parseGraphUrlState(queryOfHash(window.location.hash)));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const q = serializeGraphUrlState(state);
    const hash = q ? `${PAGE}?${q}` : PAGE;
    // replaceState: a control change is not a page visit, and it fires no hashchange back at us.
    if (
      window.location.hash !== hash &&
      (window.location.hash === '' || window.location.hash.startsWith(PAGE))
    )
      window.history.replaceState(null, '', hash);
  }, [state]);

  const update = useCallback((patch: Partial<GraphUrlState>) => setState((s) => ({ ...s, ...patch })), []);
  return [state, update];
}
