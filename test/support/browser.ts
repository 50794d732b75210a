// A real browser for end-to-end tests and the UI benchmark: Debian's Chromium (found by findTool, so a
// missing package says how to install it) driven by playwright-core, which ships no browser of its own.
// Each session gets a fresh temporary profile, removed on close, and every session still open when the
// worker exits is closed by Playwright's own exit hook; `closeAllBrowsers()` is for `afterAll`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { findTool } from './system-tools.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** Where screenshots go (gitignored): CI keeps the folder as an artifact. */
export const TEST_RESULTS_DIR = join(ROOT, 'test-results');

/**
 * Flags for a quiet, reproducible headless Chromium: the new headless mode (the same renderer as a
 * desktop window), no sandbox (containers lack the user namespaces it needs), software rendering (no GPU
 * here), and none of the background traffic a fresh profile starts (QUIC probes, component and sync
 * updates, first-run pages) — the machine has no internet, so those would only add noise and timeouts.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserOptions {
  /** Default 1280×800, the size NOTES.md's rendering figures were measured at. */
  viewport?: { width: number; height: number };
  /** Default 15 s for actions and waits on the page. */
  timeoutMs?: number;
}

export interface BrowserSession {
  readonly context: BrowserContext;
  /** The first page of the context (open another with `context.newPage()`). */
  readonly page: Page;
  /** Uncaught exceptions thrown in any page of the session so far (a test can assert there are none). */
  readonly pageErrors: string[];
  /** Saves a full-page PNG of `page` as test-results/<name>.png and returns its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  /** Closes the browser and removes the temporary profile; safe to call twice. */
  close(): Promise<void>;
}

const open = new Set<BrowserSession>();

export async function launchBrowser(opts: BrowserOptions = {}): Promise<BrowserSession> {
  const executablePath = findTool('chromium');
  const userDataDir = mkdtempSync(join(tmpdir(), 'meshscope-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is the way Playwright takes a user-data-dir of our choosing; it also makes
    // the browser and the context one object, so closing the context ends the process.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`could not start ${executablePath}: ${(e as Error).message}`);
  }
  context.setDefaultTimeout(opts.timeoutMs ?? 15_000);
  const pageErrors: string[] = [];
  context.on('weberror', (e) => pageErrors.push(e.error().stack ?? e.error().message));
  const page = context.pages()[0] ?? (await context.newPage());
  let closed: Promise<void> | undefined;
  const session: BrowserSession = {
    context,
    page,
    pageErrors,
    async screenshot(name, target = page) {
      mkdirSync(TEST_RESULTS_DIR, { recursive: true });
      const path = join(TEST_RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await target.screenshot({ path, fullPage: true });
      return path;
    },
    close() {
      closed ??= (async () => {
        open.delete(session);
        try {
          await context.close();
        } finally {
          rmSync(userDataDir, { recursive: true, force: true });
        }
      })();
      return closed;
    },
  };
  open.add(session);
  return session;
}

/** Closes every session this worker opened that is still open. */
export async function closeAllBrowsers(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}
