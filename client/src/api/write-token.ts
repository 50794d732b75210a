// The bearer token writes need (MESHSCOPE_TOKEN, or the one meshscope printed at start). Asked of the
// person on the first 401/403, or taken from the `#token=` URL meshscope prints, and kept for the
// browser tab only: never in a cookie (the API takes no cookie-only authentication, so another site
// cannot ride on it), and taken out of the URL at once (no history entry, no bookmark, no Referer:
// a fragment is never sent to a server anyway).
const KEY = 'meshscope.writeToken';

export function getWriteToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function setWriteToken(token: string): void {
  try {
    if (token === '') sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: the token lasts until the page reloads, through the caller's state.
  }
}

export function authHeaders(token = getWriteToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** `#token=<t>` (what meshscope prints), optionally followed by `&` and the page's own hash. */
export function splitTokenHash(hash: string): { token: string | undefined; hash: string } {
  const m = /^#token=([^&]*)(?:&(.*))?$/.exec(hash);
  if (m === null) return { token: undefined, hash };
  let token: string | undefined;
  try {
    token = decodeURIComponent(m[1]!).trim() || undefined;
  } catch {
    token = undefined;
  }
  const rest = m[2] ?? '';
  return { token, hash: rest === '' ? '' : `#${rest.replace(/^#/, '')}` };
}

/** At page load: a token in the URL goes to sessionStorage and out of the address bar. */
export function adoptTokenFromUrl(): void {
  const { token, hash } = splitTokenHash(window.location.hash);
  if (hash === window.location.hash) return;
  if (token !== undefined) setWriteToken(token);
  window.history.replaceState(
    window.history.state,
    '',
    `${window.location.pathname}${window.location.search}${hash}`,
  );
}
