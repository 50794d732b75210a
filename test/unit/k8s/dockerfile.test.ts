// The Dockerfile's rules, checked without a Docker engine (none runs here, and hadolint is not packaged
// in Debian): a non-root numeric USER, a HEALTHCHECK, production dependencies only, both entry
// points. And what would break the image at run time: every module the dashboard and the proxy load
// is copied into the final stage, and every package they import is a production dependency.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/k8s-manifests.ts';

interface Instruction {
  op: string;
  args: string;
}

/** Instructions per stage (continuation lines joined, comments dropped), the last stage last. */
function stages(text: string): { name: string | undefined; from: string; body: Instruction[] }[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const out: { name: string | undefined; from: string; body: Instruction[] }[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      out.push({ from: m?.[1] ?? args, name: m?.[2], body: [] });
    } else {
      out.at(-1)?.body.push({ op: op.toUpperCase(), args });
    }
  }
  return out;
}

const dockerfile = stages(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const final = dockerfile.at(-1)!;
const inFinal = (op: string) => final.body.filter((i) => i.op === op);
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Directories the final stage copies from the build context (`COPY src dest`, no --from). */
const copiedFromContext = inFinal('COPY')
  .filter((c) => !c.args.startsWith('--from'))
  .map((c) => c.args.split(/\s+/)[0]!)
  .filter((src) => src !== 'package.json');

/**
 * Modules reachable from an entry point: relative imports (resolved to files), and bare package
 * names. `import type` and `export type` are erased by type stripping and load nothing.
 */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  const specifier =
    /(?:^|\n)\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(specifier)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  }
  return { files, packages };
}

describe('Dockerfile', () => {
  it('is multi-stage, every stage on the same Node 24 slim base', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    for (const s of dockerfile) expect(s.from).toMatch(/^node:24(\.\d+)*-[a-z]+-slim$/);
  });

  it('runs as a non-root numeric user (runAsNonRoot can verify it), set after every RUN', () => {
    const users = inFinal('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    const lastUser = final.body.lastIndexOf(users.at(-1)!);
    expect(final.body.slice(lastUser).filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('has a HEALTHCHECK that probes the dashboard’s /healthz by default', () => {
    const [hc] = inFinal('HEALTHCHECK');
    expect(hc?.args).toMatch(/CMD/);
    expect(hc?.args).toContain('MESHSCOPE_HEALTHCHECK_URL');
    expect(
      inFinal('ENV')
        .map((e) => e.args)
        .join(' '),
    ).toMatch(/MESHSCOPE_HEALTHCHECK_URL=http:\/\/127\.0\.0\.1:20001\/healthz/);
  });

  it('ships production dependencies only: node_modules comes from a stage that ran npm ci --omit=dev', () => {
    const copies = inFinal('COPY').filter((c) => /\bnode_modules\b/.test(c.args));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0]!.args)?.[1];
    const stage = dockerfile.find((s) => s.name === from);
    const installs = stage?.body.filter((i) => i.op === 'RUN' && /\bnpm (ci|install)\b/.test(i.args)) ?? [];
    expect(installs.length).toBe(1);
    expect(installs[0]!.args).toMatch(/npm ci --omit=dev\b/);
    expect(installs[0]!.args).toMatch(/--ignore-scripts/);
    expect(inFinal('RUN').filter((r) => /\bnpm\b/.test(r.args))).toEqual([]);
  });

  it('offers both entry points: meshscope by default, meshscope-proxy on the PATH', () => {
    expect(inFinal('ENTRYPOINT').at(-1)?.args).toBe('["meshscope"]');
    expect(
      inFinal('ENV')
        .map((e) => e.args)
        .join(' '),
    ).toMatch(/PATH=\/app\/bin:\$PATH/);
    expect(copiedFromContext).toContain('bin');
    for (const bin of ['meshscope', 'meshscope-proxy'])
      expect(existsSync(join(REPO_ROOT, 'bin', bin))).toBe(true);
  });

  it.each(['server/main.ts', 'proxy/main.ts', 'server/demo/demo-apps-main.ts'])(
    'everything %s loads is in the image: copied sources and production dependencies',
    (entry) => {
      const { files, packages } = reachable(join(REPO_ROOT, entry));
      expect(files.size).toBeGreaterThan(2);
      if (entry === 'server/main.ts') {
        expect([...packages]).toEqual(expect.arrayContaining(['express', '@kubernetes/client-node', 'zod']));
      }
      const outside = [...files]
        .map((f) => relative(REPO_ROOT, f))
        .filter((f) => !copiedFromContext.some((dir) => f.startsWith(`${dir}/`)));
      expect(outside).toEqual([]);
      const notProduction = [...packages].filter((p) => !(p in pkg.dependencies));
      expect(notProduction).toEqual([]);
    },
  );

  it('keeps the context small: .dockerignore leaves out node_modules, .git and what the image does not copy', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', 'test', 'test-results']) expect(ignored).toContain(p);
    for (const dir of [...copiedFromContext, 'client', 'package.json', 'package-lock.json'])
      expect(ignored).not.toContain(dir);
  });
});
