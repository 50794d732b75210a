// Every write route an Express app serves, found by walking its router stack (Express 5: app.router,
// route layers with `route.methods`, mounted routers with `rawPath` and their own `stack`), so a test
// over "every write" covers a route added later without anyone listing it.
import type { Express } from 'express';
import { isWriteMethod } from '../../server/api/write-gate.ts';

export interface RouteEntry {
  method: string;
  /** Express path syntax: `/api/routes/*id/weights`, `/api/workloads/:namespace/:name/restart`. */
  path: string;
}

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
  rawPath?: string;
}

function walk(stack: readonly LayerLike[], prefix: string, out: RouteEntry[]): RouteEntry[] {
  for (const layer of stack) {
    if (layer.route) {
      for (const [m, on] of Object.entries(layer.route.methods)) {
        if (on && m !== '_all') out.push({ method: m.toUpperCase(), path: `${prefix}${layer.route.path}` });
      }
    } else if (layer.handle?.stack) {
      const mount = layer.rawPath === undefined || layer.rawPath === '/' ? '' : layer.rawPath;
      walk(layer.handle.stack, prefix + mount, out);
    }
  }
  return out;
}

export function routesOf(app: Express): RouteEntry[] {
  const router = (app as unknown as { router: { stack: LayerLike[] } }).router;
  return walk(router.stack, '', []);
}

export function writeRoutesOf(app: Express): RouteEntry[] {
  return routesOf(app).filter((r) => isWriteMethod(r.method));
}

/** A concrete URL path for a route pattern: `*id` and `:param` replaced by the values given. */
export function concretePath(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/[*:]([A-Za-z_]+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for '${name}' in ${pattern}`);
    return v;
  });
}
