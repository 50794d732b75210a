// The targets file (`meshscope --targets`) of a lab on loopback: the frontend, whose sidecar is a real
// proxy reached at its admin URL, and the workloads behind it, each known by the port it serves on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabWorkload {
  workload: string;
  app: string;
  version?: string;
  port: number;
}

/** Writes `<dir>/targets.yaml` and returns its path. */
export function writeLabTargets(dir: string, frontendAdminUrl: string, workloads: LabWorkload[]): string {
  const path = join(dir, 'targets.yaml');
  const lines = workloads.map((w) => {
    const version = w.version === undefined ? '' : ` version: ${w.version},`;
    return `  - { workload: ${w.workload}, app: ${w.app},${version} addresses: ["127.0.0.1:${w.port}"] }`;
  });
  writeFileSync(
    path,
    [
      'targets:',
      `  - { workload: frontend, app: frontend, kind: meshscope-proxy, admin: ${frontendAdminUrl} }`,
      ...lines,
      '',
    ].join('\n'),
  );
  return path;
}

/** The seed lab's two backends (backend-v1, backend-v2 of app `backend`). */
export function seedLabWorkloads(v1Port: number, v2Port: number): LabWorkload[] {
  return [
    { workload: 'backend-v1', app: 'backend', version: 'v1', port: v1Port },
    { workload: 'backend-v2', app: 'backend', version: 'v2', port: v2Port },
  ];
}
