// When a demo app misbehaves (demo-topology.ts `AppTrouble`): by the app's own request count, so a
// run is deterministic. Pure.
import type { AppTrouble } from './demo-topology.ts';

export type TroubleAction = { kind: 'fail' } | { kind: 'slow'; ms: number } | undefined;

/** What the `count`-th request (1-based) of an app with `trouble` gets; failing wins over slowness. */
export function troubleFor(count: number, trouble: AppTrouble | undefined): TroubleAction {
  if (trouble === undefined) return undefined;
  const every = (n: number | undefined) => n !== undefined && n > 0 && count % n === 0;
  if (every(trouble.failEvery)) return { kind: 'fail' };
  if (every(trouble.slowEvery) && (trouble.slowMs ?? 0) > 0) return { kind: 'slow', ms: trouble.slowMs! };
  return undefined;
}
