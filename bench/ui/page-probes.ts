// What the UI benchmark measures inside the page. Each export is a self-contained function that
// Playwright serializes into the page (so none may refer to anything outside its own body).
//
// Clocks: everything is `performance.now()` in the page. "Data" is the moment the graph reached the
// page: the end of the /api/graph response or the first server-sent `graph` event, whichever came first
// (the UI may take either); a frame is drawn when Cytoscape emits `render` (after its canvas draw, in
// the animation frame). The first frame is the first `render` with at least the expected node count:
// when the UI sets the performance mark `meshscope:first-render`, that mark is used instead.
import type { Core } from 'cytoscape';

export interface Probe {
  /** performance.now() of each `graph` event, in arrival order. */
  graphEvents: number[];
  /** performance.now() of each Cytoscape `render` event. */
  renders: number[];
  /** performance.now() of the first render with `expectNodes` nodes. */
  firstFullRender: number | null;
  expectNodes: number;
  hooked: boolean;
}

type ProbeWindow = Window & { __meshscope?: { cy?: Core }; __bench?: Probe };

/** Init script (runs before the page's own scripts): counts SSE graph events and Cytoscape frames. */
export function installProbe(expectNodes: number): void {
  const w = window as ProbeWindow;
  const probe: Probe = { graphEvents: [], renders: [], firstFullRender: null, expectNodes, hooked: false };
  w.__bench = probe;
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      // Registered before the UI's own listener, so it runs first: the arrival time, not the handling.
      this.addEventListener('graph', () => probe.graphEvents.push(performance.now()));
    }
  };
  const hook = (cy: Core | undefined) => {
    if (!cy || probe.hooked) return;
    probe.hooked = true;
    cy.on('render', () => {
      const t = performance.now();
      probe.renders.push(t);
      if (probe.firstFullRender === null && cy.nodes().length >= probe.expectNodes) probe.firstFullRender = t;
    });
  };
  // The page assigns `window.__meshscope = { cy }` when it creates the instance, before Cytoscape's
  // first frame (drawn in a later animation frame); the setter attaches at that moment. Polling each
  // frame is the fallback for a page that fills in an existing object.
  let current: ProbeWindow['__meshscope'];
  Object.defineProperty(w, '__meshscope', {
    configurable: true,
    get: () => current,
    set: (v: ProbeWindow['__meshscope']) => {
      current = v;
      hook(v?.cy);
    },
  });
  const poll = () => {
    hook(current?.cy);
    if (!probe.hooked) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}

/** When the graph data reached the page, and when its first full frame was drawn (null: not yet). */
export function firstFrame(): { dataAt: number | null; frameAt: number | null; markUsed: boolean } {
  const probe = (window as ProbeWindow).__bench!;
  const response = performance
    .getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname === '/api/graph')
    .map((e) => (e as PerformanceResourceTiming).responseEnd);
  const arrivals = [...response, ...probe.graphEvents.slice(0, 1)];
  const dataAt = arrivals.length > 0 ? Math.min(...arrivals) : null;
  const mark = performance.getEntriesByName('meshscope:first-render', 'mark')[0];
  return {
    dataAt,
    frameAt: mark ? mark.startTime : probe.firstFullRender,
    markUsed: mark !== undefined,
  };
}

/** Every edge's label and every node's position, to tell what an update changed. */
export function snapshot(): { labels: string[]; positions: number[]; zoom: number; pan: number[] } {
  const cy = (window as ProbeWindow).__meshscope!.cy!;
  const positions: number[] = [];
  cy.nodes().forEach((n) => {
    const p = n.position();
    positions.push(p.x, p.y);
  });
  return {
    labels: cy.edges().map((e) => String(e.data('label') ?? '')),
    positions,
    zoom: cy.zoom(),
    pan: [cy.pan().x, cy.pan().y],
  };
}

export interface Relabel {
  ms: number;
  changed: number;
  edges: number;
}

/**
 * Arms a watch for the next update (call before the server pushes it): it resolves once a frame has
 * been drawn in which every edge label differs from the current ones, with the time from the update's
 * `graph` event to that frame. `collectRelabel` waits for it.
 */
export function armRelabel(timeoutMs: number): void {
  const w = window as ProbeWindow & { __relabel?: Promise<Relabel> };
  const probe = w.__bench!;
  const cy = w.__meshscope!.cy!;
  const before = cy.edges().map((e) => String(e.data('label') ?? ''));
  const eventIndex = probe.graphEvents.length;
  const countChanged = () => {
    let changed = 0;
    cy.edges().forEach((e, i) => {
      if (String(e.data('label') ?? '') !== before[i]) changed++;
    });
    return changed;
  };
  w.__relabel = new Promise((resolve, reject) => {
    const started = performance.now();
    const onRender = () => {
      const eventAt = probe.graphEvents[eventIndex];
      if (eventAt === undefined) return;
      const changed = countChanged();
      if (changed === before.length) {
        cy.off('render', onRender);
        resolve({ ms: performance.now() - eventAt, changed, edges: before.length });
      }
    };
    cy.on('render', onRender);
    setTimeout(() => {
      cy.off('render', onRender);
      reject(
        new Error(
          `no frame with every edge relabelled within ${timeoutMs} ms ` +
            `(events ${probe.graphEvents.length}, ${countChanged()}/${before.length} labels changed, ` +
            `${Math.round(performance.now() - started)} ms)`,
        ),
      );
    }, timeoutMs);
  });
}

export function collectRelabel(): Promise<Relabel> {
  return (window as Window & { __relabel?: Promise<Relabel> }).__relabel!;
}

/** Starts recording animation-frame times and Cytoscape renders; `stopFrameRecording` returns them. */
export function startFrameRecording(): void {
  const w = window as ProbeWindow & { __frames?: { times: number[]; renders: number; on: boolean } };
  const rec = { times: [] as number[], renders: 0, on: true };
  w.__frames = rec;
  const cy = w.__meshscope!.cy!;
  const onRender = () => {
    if (rec.on) rec.renders++;
  };
  cy.on('render', onRender);
  const tick = (t: number) => {
    if (!rec.on) {
      cy.off('render', onRender);
      return;
    }
    rec.times.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

export function stopFrameRecording(): { times: number[]; renders: number } {
  const w = window as ProbeWindow & { __frames?: { times: number[]; renders: number; on: boolean } };
  const rec = w.__frames!;
  rec.on = false;
  return { times: rec.times, renders: rec.renders };
}
