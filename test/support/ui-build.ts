// What the end-to-end tests and the UI benchmark need before they open a browser: a built UI (the
// dashboard serves client/dist as it is), and the arguments of a demo dashboard on its own subnet.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLIENT_DIST = join(ROOT, 'client/dist');
/** What the built UI is made from: a change in any of these after the build makes client/dist stale. */
const UI_SOURCES = ['client/src', 'client/index.html', 'client/vite.config.ts', 'shared/api'];

/**
 * Arguments for `meshscope --demo` on its own loopback /24 (so suites never share addresses), scraping
 * every second over a 10 s window, logging warnings only.
 */
export function demoArgs(subnet: string): string[] {
  return ['--demo', '--demo-subnet', subnet, '--scrape-interval', '1', '--window', '10', '-l', 'warning'];
}

/**
 * Throws unless client/dist holds a build: the dashboard serves whatever is there. A build older than
 * the UI's sources is only warned about (a test against it tests the previous UI), because a file
 * touched after the build is not always one the UI imports.
 */
export function requireBuiltUi(): void {
  const index = join(CLIENT_DIST, 'index.html');
  if (!existsSync(index)) {
    throw new Error(`the UI is not built (${index} is missing): run \`npm run prepare\` first`);
  }
  const builtAt = statSync(index).mtimeMs;
  const newer = UI_SOURCES.flatMap((p) => filesNewerThan(join(ROOT, p), builtAt));
  if (newer.length > 0) {
    process.stderr.write(
      `warning: the UI build in client/dist is older than ${newer.slice(0, 3).join(', ')}` +
        `${newer.length > 3 ? ` and ${newer.length - 3} more` : ''}; \`npm run prepare\` rebuilds it\n`,
    );
  }
}

function filesNewerThan(path: string, ms: number): string[] {
  if (!existsSync(path)) return [];
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs > ms ? [path.slice(ROOT.length + 1)] : [];
  return readdirSync(path).flatMap((name) => filesNewerThan(join(path, name), ms));
}
