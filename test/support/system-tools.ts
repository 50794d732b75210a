// Locates the system programs that integration tests and benchmarks drive (nginx, wrk, chromium,
// prometheus, promtool). They come from Debian packages that `.ci/run` installs; when one is missing
// the error says which package to install, so a failing test explains itself instead of an ENOENT.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type SystemTool = 'nginx' | 'wrk' | 'chromium' | 'prometheus' | 'promtool';

/** The Debian package that provides each tool (promtool ships inside the prometheus package). */
export const debianPackageOf: Readonly<Record<SystemTool, string>> = {
  nginx: 'nginx-light',
  wrk: 'wrk',
  chromium: 'chromium',
  prometheus: 'prometheus',
  promtool: 'prometheus',
};

// nginx lives in /usr/sbin, which a non-root PATH often lacks; search the standard directories too.
const standardDirectories = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** PATH's directories followed by the standard system directories, without duplicates. */
export function defaultSearchPath(pathVariable: string = process.env['PATH'] ?? ''): string[] {
  const fromPath = pathVariable.split(delimiter).filter((directory) => directory.startsWith('/'));
  return [...new Set([...fromPath, ...standardDirectories])];
}

/** The message of the Error thrown when a tool is missing: how to install it, both ways. */
export function missingToolMessage(name: SystemTool, searched: readonly string[]): string {
  const pkg = debianPackageOf[name];
  return (
    `${name} not found (searched ${searched.join(', ')}). ` +
    `Install it with \`apt-get install -y ${pkg}\` (Debian package ${pkg}), ` +
    'or run `bash .ci/run`, which installs it with the other test dependencies.'
  );
}

/**
 * The absolute path of an executable `name` in `searchPath` (default: PATH plus the standard system
 * directories). Throws an Error saying how to install it when it is not there.
 */
export function findTool(name: SystemTool, searchPath: readonly string[] = defaultSearchPath()): string {
  for (const directory of searchPath) {
    const candidate = join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new Error(missingToolMessage(name, searchPath));
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
