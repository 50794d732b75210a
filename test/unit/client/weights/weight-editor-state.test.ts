import { describe, expect, it } from 'vitest';
import {
  changeRequest,
  editorReducer,
  initialEditorState,
  isChanged,
} from '../../../../client/src/weights/weight-editor-state.ts';
import type { WeightedRoute } from '../../../../shared/api/routes.ts';

function route(weights: Record<string, number>, totalWeight = 100): WeightedRoute {
  return {
    id: 'default/frontend/listener_0/local_route/backend/0',
    source: { namespace: 'default', workload: 'frontend' },
    replicas: [{ sidecarId: 'default/frontend/0', adminUrl: 'http://127.0.0.1:9901' }],
    listener: 'listener_0',
    routeConfig: 'local_route',
    virtualHost: 'backend',
    routeName: null,
    match: 'prefix /',
    runtimeKeyPrefix: 'routing.traffic_split.backend',
    totalWeight,
    clusters: Object.entries(weights).map(([name, w]) => ({
      name,
      configuredWeight: w,
      runtimeWeight: null,
      effectiveWeight: w,
      destination: null,
      observedShare: null,
    })),
    version: 'v-1',
  };
}

describe('weight editor state', () => {
  it("starts from the route's effective weights and version, unchanged", () => {
    const s = initialEditorState(route({ backend_v1: 80, backend_v2: 20 }));
    expect(s.weights).toEqual([80, 20]);
    expect(s.base).toEqual({ version: 'v-1', weights: [80, 20] });
    expect(isChanged(s)).toBe(false);
  });

  it('turns 80/20 into 50/50 by moving one slider, and builds the request', () => {
    let s = initialEditorState(route({ backend_v1: 80, backend_v2: 20 }));
    s = editorReducer(s, { type: 'set', index: 1, value: 50 });
    expect(isChanged(s)).toBe(true);
    expect(changeRequest(s, '  canary half  ')).toEqual({
      weights: { backend_v1: 50, backend_v2: 50 },
      reason: 'canary half',
    });
    expect(changeRequest(s, ' ')).toEqual({ weights: { backend_v1: 50, backend_v2: 50 } });
  });

  it('rebalances a drag from the weights at its start, not from each intermediate step', () => {
    const s0 = initialEditorState(route({ a: 34, b: 33, c: 33 }));
    const from = s0.weights;
    let s = editorReducer(s0, { type: 'set', index: 0, value: 99, from });
    s = editorReducer(s, { type: 'set', index: 0, value: 40, from });
    // 60 left for b and c at 33:33, not whatever rounding made of them at 99.
    expect(s.weights).toEqual([40, 30, 30]);
  });

  it('presets and promotion release the locks; even split keeps them', () => {
    let s = initialEditorState(route({ a: 50, b: 30, c: 20 }));
    s = editorReducer(s, { type: 'lock', index: 2, locked: true });
    s = editorReducer(s, { type: 'even' });
    expect(s.weights).toEqual([40, 40, 20]);
    s = editorReducer(s, { type: 'promote', index: 1 });
    expect(s.weights).toEqual([0, 100, 0]);
    expect(s.locked).toEqual([false, false, false]);
    s = editorReducer(s, { type: 'preset', weights: [80, 10, 10] });
    expect(s.weights).toEqual([80, 10, 10]);
    s = editorReducer(s, { type: 'preset', weights: [80, 20] });
    expect(s.weights).toEqual([80, 10, 10]);
  });

  it('reset goes back to the base; rebase adopts what an apply or undo left', () => {
    let s = initialEditorState(route({ backend_v1: 80, backend_v2: 20 }));
    s = editorReducer(s, { type: 'set', index: 0, value: 10 });
    s = editorReducer(s, { type: 'reset' });
    expect(s.weights).toEqual([80, 20]);
    s = editorReducer(s, { type: 'rebase', version: 'v-2', weights: { backend_v1: 50, backend_v2: 50 } });
    expect(s.base).toEqual({ version: 'v-2', weights: [50, 50] });
    expect(s.weights).toEqual([50, 50]);
    expect(isChanged(s)).toBe(false);
  });

  it('keeps a route total other than 100 when the API allows no other', () => {
    const r = { ...route({ a: 600, b: 400 }, 1000), allowedTotals: [1000] };
    const s = editorReducer(initialEditorState(r), { type: 'even' });
    expect(s.total).toBe(1000);
    expect(s.weights).toEqual([500, 500]);
  });

  it('edits in percent when 100 is allowed, starting unchanged from weights that summed to 10', () => {
    const r = { ...route({ a: 1, b: 9 }, 10), allowedTotals: [100, 10] };
    const s = initialEditorState(r);
    expect(s.total).toBe(100);
    expect(s.weights).toEqual([10, 90]);
    expect(isChanged(s)).toBe(false);
  });

  it("falls back to the route's own total when the API gives no list", () => {
    expect(initialEditorState(route({ a: 600, b: 400 }, 1000)).total).toBe(1000);
    expect(initialEditorState(route({ a: 0, b: 0 }, 0)).weights).toEqual([50, 50]);
  });
});
