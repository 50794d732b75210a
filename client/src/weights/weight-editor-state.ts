// The weight editor's state as a reducer over the pure rebalancing functions, so the component only
// dispatches and renders. `base` is what the route had when the editor (re)loaded it or after the last
// apply: the version sent as If-Match and the weights Undo returns to.
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import type { WeightChangeRequest } from '../../../shared/api/weights.ts';
import { evenSplit, fitToTotal, promote, sameWeights, setWeight } from './rebalance.ts';

export interface EditorState {
  names: string[];
  /** What the weights must add up to. */
  total: number;
  weights: number[];
  locked: boolean[];
  base: { version: string; weights: number[] };
}

export type EditorAction =
  | { type: 'set'; index: number; value: number; from?: readonly number[] }
  | { type: 'lock'; index: number; locked: boolean }
  | { type: 'even' }
  | { type: 'preset'; weights: readonly number[] }
  | { type: 'promote'; index: number }
  | { type: 'reset' }
  | { type: 'rebase'; version: string; weights: Readonly<Record<string, number>> };

/**
 * The sum the editor keeps: 100 whenever the weights API accepts it (percentages read best), else the
 * route's `total_weight`; without the API's list, the route's current total (100 if it reports none).
 */
export function routeTotal(route: WeightedRoute): number {
  const allowed = route.allowedTotals ?? [];
  if (allowed.length > 0) return allowed.includes(100) ? 100 : allowed[0]!;
  return route.totalWeight > 0 ? route.totalWeight : 100;
}

export function initialEditorState(route: WeightedRoute): EditorState {
  const names = route.clusters.map((c) => c.name);
  const total = routeTotal(route);
  // In the editor's total: 1/9 under a total of 10 starts as 10/90, unchanged.
  const current = fitToTotal(
    route.clusters.map((c) => c.effectiveWeight),
    total,
  );
  return {
    names,
    total,
    weights: current,
    locked: names.map(() => false),
    base: { version: route.version, weights: current },
  };
}

export function editorReducer(s: EditorState, a: EditorAction): EditorState {
  switch (a.type) {
    case 'set':
      // `from`: the weights when a slider drag began, so the others keep their proportions through the
      // drag instead of accumulating a rounding step per pointer move.
      return { ...s, weights: setWeight(a.from ?? s.weights, s.locked, a.index, a.value, s.total) };
    case 'lock':
      return { ...s, locked: s.locked.map((l, i) => (i === a.index ? a.locked : l)) };
    case 'even':
      return { ...s, weights: evenSplit(s.weights, s.locked, s.total) };
    // A preset or a promotion decides every cluster's weight, so it releases the locks.
    case 'preset':
      return a.weights.length === s.names.length
        ? { ...s, weights: [...a.weights], locked: s.names.map(() => false) }
        : s;
    case 'promote':
      return { ...s, weights: promote(s.names.length, a.index, s.total), locked: s.names.map(() => false) };
    case 'reset':
      return { ...s, weights: [...s.base.weights], locked: s.names.map(() => false) };
    case 'rebase': {
      const weights = fitToTotal(
        s.names.map((n) => a.weights[n] ?? 0),
        s.total,
      );
      return { ...s, base: { version: a.version, weights }, weights };
    }
  }
}

export function isChanged(s: EditorState): boolean {
  return !sameWeights(s.weights, s.base.weights);
}

export function weightsRecord(names: readonly string[], weights: readonly number[]): Record<string, number> {
  return Object.fromEntries(names.map((n, i) => [n, weights[i] ?? 0]));
}

export function changeRequest(s: EditorState, reason: string): WeightChangeRequest {
  const r = reason.trim();
  return { weights: weightsRecord(s.names, s.weights), ...(r !== '' ? { reason: r } : {}) };
}
