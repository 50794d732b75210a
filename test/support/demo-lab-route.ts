// The demo mesh's lab route (frontend → backend, split over backend_v1 and backend_v2), as the
// end-to-end tests of the weight editor and of guarded shifts read it from the dashboard's API.
import { RouteListSchema, type WeightedRoute } from '../../shared/api/routes.ts';
import type { DashboardProcess } from './dashboard-process.ts';

/** The lab route from GET /api/routes; throws (naming the routes there are) while it is not there. */
export async function labRoute(demo: DashboardProcess): Promise<WeightedRoute> {
  const { routes } = await demo.get('/api/routes', RouteListSchema);
  const r = routes.find((x) => x.source.workload === 'frontend' && x.virtualHost === 'backend');
  if (!r) throw new Error(`no lab route in ${JSON.stringify(routes.map((x) => x.id))}`);
  return r;
}

/** A route's effective weights as `name=weight` in cluster order: `backend_v1=80,backend_v2=20`. */
export const effective = (r: WeightedRoute) =>
  r.clusters.map((c) => `${c.name}=${c.effectiveWeight}`).join(',');
