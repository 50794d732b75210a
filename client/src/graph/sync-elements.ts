// Applies a new set of decorated elements to a live `cy` in one batch: data and classes of existing
// elements are updated in place (only what changed, so a live update restyles only what it must),
// new ones are added, vanished ones removed. Positions, zoom and pan are never touched here.
import type { Core, ElementDefinition, NodeSingular } from 'cytoscape';
import { placeNewNodes } from './place-new-nodes.ts';
import type { Position } from './ranked-layout.ts';

export interface SyncResult {
  /** Ids of nodes that were not in the graph before. */
  addedNodes: string[];
  removed: number;
  updated: number;
}

function changedData(
  current: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const diff: Record<string, unknown> = {};
  let changed = false;
  for (const k in next) {
    if (current[k] === next[k]) continue;
    diff[k] = next[k];
    changed = true;
  }
  return changed ? diff : undefined;
}

export function syncElements(cy: Core, elements: readonly ElementDefinition[]): SyncResult {
  const wanted = new Set<string>();
  for (const el of elements) wanted.add(el.data.id!);
  const result: SyncResult = { addedNodes: [], removed: 0, updated: 0 };
  cy.batch(() => {
    const gone = cy.elements().filter((el) => !wanted.has(el.id()));
    result.removed = gone.length;
    cy.remove(gone);
    const toAdd: ElementDefinition[] = [];
    for (const def of elements) {
      const el = cy.getElementById(def.data.id!);
      if (el.empty()) {
        toAdd.push(def);
        if (def.group === 'nodes') result.addedNodes.push(def.data.id!);
        continue;
      }
      const diff = changedData(el.data() as Record<string, unknown>, def.data as Record<string, unknown>);
      const classes = def.classes ?? '';
      const classesChanged = el.classes().join(' ') !== classes;
      if (diff) el.data(diff);
      if (classesChanged) el.classes(classes);
      if (diff || classesChanged) result.updated++;
    }
    // Nodes first: an edge can only be added once both its ends exist.
    toAdd.sort((a, b) => Number(a.group === 'edges') - Number(b.group === 'edges'));
    cy.add(toAdd);
  });
  return result;
}

/** Puts nodes added by a live update next to their neighbours; nothing else moves. */
export function placeAddedNodes(cy: Core, added: readonly string[]): void {
  if (added.length === 0) return;
  const fresh = new Set(added);
  const placed = new Map<string, Position>();
  cy.nodes().forEach((n: NodeSingular) => {
    if (!fresh.has(n.id())) placed.set(n.id(), { ...n.position() });
  });
  const edges = cy
    .edges()
    .map((e) => ({ source: e.data('source') as string, target: e.data('target') as string }));
  const positions = placeNewNodes(placed, added, edges);
  cy.batch(() => {
    for (const [id, p] of positions) cy.getElementById(id).position(p);
  });
}
