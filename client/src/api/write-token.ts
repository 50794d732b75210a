// The bearer token writes need (MESHSCOPE_TOKEN, or the one meshscope printed at start). Asked of the
// person on the first 401/403 and kept for the browser tab only: never in a cookie (the API takes no
// cookie-only authentication, so another site cannot ride on it) and never in the URL.
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
