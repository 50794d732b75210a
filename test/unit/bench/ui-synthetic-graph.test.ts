import { describe, expect, it } from 'vitest';
import { graphOf, syntheticMesh } from '../../../bench/ui/synthetic-graph.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';

describe('synthetic mesh graphs for the UI bench', () => {
  const mesh = syntheticMesh({ nodes: 500, edges: 1500, seed: 7 });
  const g = graphOf(mesh, 'versionedApp');

  it('has exactly the asked nodes and edges, and passes the API contract', () => {
    expect(g.nodes).toHaveLength(500);
    expect(g.edges).toHaveLength(1500);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(1500);
    expect(() => GraphSchema.parse(g)).not.toThrow();
  });

  it('is mesh-shaped: 5 tiers, 1–3 versions per service, calls only down the tiers', () => {
    expect(new Set(mesh.entities.map((e) => e.tier))).toEqual(new Set([0, 1, 2, 3, 4]));
    const versions = new Map<string, number>();
    for (const e of mesh.entities) versions.set(e.app, (versions.get(e.app) ?? 0) + 1);
    expect(new Set(versions.values())).toEqual(new Set([1, 2, 3]));
    for (const c of mesh.calls)
      expect(mesh.entities[c.to]!.tier).toBeGreaterThan(mesh.entities[c.from]!.tier);
    // Every node below the entry tier is called by someone: one connected call graph.
    const called = new Set(g.edges.map((e) => e.target));
    const notCalled = g.nodes.filter((n) => !called.has(n.id));
    expect(notCalled.every((n) => n.name.startsWith('svc-0-'))).toBe(true);
  });

  it('splits calls to multi-version services as weighted routes whose shares sum to 1', () => {
    const byRoute = new Map<string, number>();
    for (const e of g.edges)
      for (const w of e.weights) byRoute.set(w.routeId, (byRoute.get(w.routeId) ?? 0) + w.configured);
    expect(byRoute.size).toBeGreaterThan(50);
    // A route cut short by the edge budget may cover only some versions; the others are whole.
    const whole = [...byRoute.values()].filter((s) => Math.abs(s - 1) < 1e-9);
    expect(whole.length).toBeGreaterThanOrEqual(byRoute.size - 1);
  });

  it('gives every edge a different rate in the next round, keeping nodes and edges', () => {
    const next = graphOf(mesh, 'versionedApp', 1);
    expect(next.edges.map((e) => e.id)).toEqual(g.edges.map((e) => e.id));
    next.edges.forEach((e, i) => {
      expect(e.traffic.rps).toBeGreaterThan(g.edges[i]!.traffic.rps * 1.3);
    });
  });

  it('collapses versions in the app graph', () => {
    const app = graphOf(mesh, 'app');
    expect(app.nodes.length).toBe(new Set(mesh.entities.map((e) => e.app)).size);
    expect(() => GraphSchema.parse(app)).not.toThrow();
    expect(app.edges.every((e) => e.source !== e.target)).toBe(true);
  });

  it('is the same mesh for the same seed', () => {
    expect(syntheticMesh({ nodes: 500, edges: 1500, seed: 7 })).toEqual(mesh);
  });
});
