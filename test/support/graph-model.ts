// Reading the graph page's Cytoscape model from a test (Kiali's practice: assert on the graph model, not
// on pixels). The page exposes its instance as `window.__meshscope.cy`; these helpers run small
// functions in the page and return plain data. Also: counting the server-sent `graph` events the page
// receives, so a test can wait for "two live updates" without guessing at timing.
import type cytoscape from 'cytoscape';
import type { Core } from 'cytoscape';
import type { BrowserContext, Page } from 'playwright-core';

type MeshscopeWindow = Window & {
  __meshscope?: { cy?: Core };
  __meshscopeTest?: { graphEvents: number };
};

export interface ModelNode {
  id: string;
  label: string;
  classes: string[];
  visible: boolean;
  selected: boolean;
}

export interface ModelEdge extends ModelNode {
  source: string;
  target: string;
}

export interface Viewport {
  zoom: number;
  pan: { x: number; y: number };
  positions: Record<string, { x: number; y: number }>;
}

/** Waits until the page has created its Cytoscape instance with at least `minNodes` nodes. */
export async function waitForGraph(page: Page, minNodes = 1, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (min) => ((window as MeshscopeWindow).__meshscope?.cy?.nodes().length ?? -1) >= min,
    minNodes,
    { timeout: timeoutMs, polling: 100 },
  );
}

export function modelNodes(page: Page): Promise<ModelNode[]> {
  return page.evaluate(() => {
    const cy = (window as MeshscopeWindow).__meshscope!.cy!;
    return cy.nodes().map((n) => ({
      id: n.id(),
      label: String(n.data('label') ?? ''),
      classes: n.classes(),
      visible: n.visible(),
      selected: n.selected(),
    }));
  });
}

export function modelEdges(page: Page): Promise<ModelEdge[]> {
  return page.evaluate(() => {
    const cy = (window as MeshscopeWindow).__meshscope!.cy!;
    return cy.edges().map((e) => ({
      id: e.id(),
      source: e.source().id(),
      target: e.target().id(),
      label: String(e.data('label') ?? ''),
      classes: e.classes(),
      visible: e.visible(),
      selected: e.selected(),
    }));
  });
}

export function viewport(page: Page): Promise<Viewport> {
  return page.evaluate(() => {
    const cy = (window as MeshscopeWindow).__meshscope!.cy!;
    const positions: Record<string, { x: number; y: number }> = {};
    cy.nodes().forEach((n) => {
      positions[n.id()] = { ...n.position() };
    });
    return { zoom: cy.zoom(), pan: { ...cy.pan() }, positions };
  });
}

/** Where an element is drawn, in page coordinates (edge: its midpoint; node: its centre). */
export async function pagePointOf(page: Page, id: string): Promise<{ x: number; y: number }> {
  return page.evaluate((elementId) => {
    const cy = (window as MeshscopeWindow).__meshscope!.cy!;
    const el = cy.getElementById(elementId);
    if (el.empty()) throw new Error(`no element ${elementId} in the graph`);
    const p = el.isEdge() ? el.renderedMidpoint() : (el as cytoscape.NodeSingular).renderedPosition();
    const box = cy.container()!.getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, id);
}

/** The rectangle of the graph's canvas container, in page coordinates. */
export function graphBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  return page.evaluate(() => {
    const r = (window as MeshscopeWindow).__meshscope!.cy!.container()!.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
}

/**
 * Counts the `graph` server-sent events every page of `context` receives from now on (install before
 * navigating): EventSource is wrapped so each instance also counts its `graph` events.
 */
export async function countGraphEvents(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as MeshscopeWindow;
    w.__meshscopeTest = { graphEvents: 0 };
    const Native = window.EventSource;
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('graph', () => {
          w.__meshscopeTest!.graphEvents++;
        });
      }
    };
  });
}

export function graphEvents(page: Page): Promise<number> {
  return page.evaluate(() => (window as MeshscopeWindow).__meshscopeTest?.graphEvents ?? 0);
}

/** Waits for `n` more `graph` events than have arrived so far (countGraphEvents must be installed). */
export async function waitForGraphEvents(page: Page, n: number, timeoutMs = 30_000): Promise<void> {
  const start = await graphEvents(page);
  await page.waitForFunction(
    (target) => ((window as MeshscopeWindow).__meshscopeTest?.graphEvents ?? 0) >= target,
    start + n,
    { timeout: timeoutMs, polling: 100 },
  );
}

/**
 * A point of the canvas with no element under it (where a drag pans), in page coordinates, scanning
 * from the top-left corner; null when elements cover the whole canvas.
 */
export function emptyCanvasPoint(page: Page): Promise<{ x: number; y: number } | null> {
  return page.evaluate(() => {
    const cy = (window as MeshscopeWindow).__meshscope!.cy!;
    const box = cy.container()!.getBoundingClientRect();
    const boxes = cy.elements(':visible').map((el) => el.renderedBoundingBox({}));
    for (let y = 10; y < box.height - 10; y += 12) {
      for (let x = 10; x < box.width - 10; x += 12) {
        const hit = boxes.some((b) => x >= b.x1 - 6 && x <= b.x2 + 6 && y >= b.y1 - 6 && y <= b.y2 + 6);
        if (!hit) return { x: box.left + x, y: box.top + y };
      }
    }
    return null;
  });
}

/** Waits until zoom, pan and every node position hold still for `quietMs` (a layout has finished). */
export async function waitForStillGraph(page: Page, quietMs = 500, timeoutMs = 20_000): Promise<Viewport> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await viewport(page));
  for (;;) {
    await page.waitForTimeout(quietMs);
    const now = await viewport(page);
    const json = JSON.stringify(now);
    if (json === last) return now;
    if (Date.now() > deadline) throw new Error(`the graph kept moving for ${timeoutMs} ms`);
    last = json;
  }
}
