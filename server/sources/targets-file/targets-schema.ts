// `meshscope --targets targets.yaml`: discovery without Kubernetes. Each entry is a workload — its
// identity, the addresses it serves on (what pod IPs are in a cluster: upstream endpoints are mapped to
// workloads by them), and its sidecars' admin URLs, one per replica (none for a workload without a
// sidecar: it still appears, with the traffic others send it).
//
//   targets:
//     - namespace: default
//       workload: backend-v1
//       app: backend
//       version: v1
//       addresses: [127.0.0.11]            # IPs, or ip:port
//       admin: http://127.0.0.11:9901      # or a list, one per replica; or omitted
//       kind: meshscope-proxy              # envoy (default) | istio-proxy | meshscope-proxy
//       runtimeDir: /srv/envoy/runtime     # optional: disk layer symlink_root (or a list per replica)
//       runtimeSubdirectory: envoy         # optional: the disk layer's subdirectory
//       bootstrap: /srv/envoy/envoy.yaml   # optional: the bootstrap file (or a list per replica)
//   services:                              # optional: Services and the addresses behind them
//     - { namespace: default, name: backend, addresses: [127.0.0.11, 127.0.0.12] }
import { z } from 'zod';
import { SidecarKindSchema } from '../../../shared/api/sidecars.ts';

const Name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name (lower case, digits, - and .)');
const Address = z
  .string()
  .regex(
    /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]+)(:\d{1,5})?$/,
    'must be an IP address or ip:port',
  );
const AdminUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const TargetEntrySchema = z
  .object({
    namespace: Name.default('default'),
    workload: Name,
    app: Name.optional(),
    version: z.string().min(1).optional(),
    addresses: z.array(Address).default([]),
    admin: z.union([AdminUrl, z.array(AdminUrl)]).optional(),
    kind: SidecarKindSchema.default('envoy'),
    /** Where Prometheus text is served on the admin address (istio-proxy's merged endpoint differs). */
    statsPath: z.string().startsWith('/').default('/stats/prometheus'),
    /**
     * The runtime disk layer's `symlink_root` on this machine (one, shared by every replica, or a list
     * in `admin`'s order), for sidecars whose config dump does not show their bootstrap: the weights
     * API writes the weights it sets there (atomic symlink swap), so a restarted sidecar keeps them.
     */
    runtimeDir: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    /** The disk layer's `subdirectory` under `runtimeDir`. */
    runtimeSubdirectory: z.string().optional(),
    /**
     * The bootstrap file on this machine (one for every replica, or a list in `admin`'s order): the
     * weights API rewrites a route's static weights there (routes without runtime_key_prefix).
     */
    bootstrap: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  })
  .strict();

export const ServiceEntrySchema = z
  .object({
    namespace: Name.default('default'),
    name: Name,
    addresses: z.array(Address).default([]),
    clusterIps: z.array(Address).default([]),
    selector: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const TargetsFileSchema = z
  .object({
    targets: z.array(TargetEntrySchema),
    services: z.array(ServiceEntrySchema).default([]),
  })
  .strict();

export type TargetsFile = z.infer<typeof TargetsFileSchema>;
