// The HTTP Date header changes once a second; formatting it per response would cost more than the
// rest of a local reply, so it is cached and refreshed lazily.
let cached = '';
let cachedSecond = -1;

export function httpDate(now = Date.now()): string {
  const sec = Math.floor(now / 1000);
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cached = new Date(sec * 1000).toUTCString();
  }
  return cached;
}
