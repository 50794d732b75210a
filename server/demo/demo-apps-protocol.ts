// Messages between the demo (parent) and its apps process (demo-apps-main.ts), over Node's IPC channel.
import type { DemoWorkload } from './demo-topology.ts';
import type { LoadStats, LoadTarget } from './load-generator.ts';

export type ToApps =
  | { type: 'start'; workloads: DemoWorkload[]; load: LoadTarget[] }
  | { type: 'rate'; rps: number }
  | { type: 'stats'; id: number };

export type FromApps =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'stats'; id: number; stats: LoadStats };

export function isFromApps(m: unknown): m is FromApps {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
