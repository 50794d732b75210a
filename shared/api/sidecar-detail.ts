// What the side panel reads live from one sidecar's admin API, through the dashboard:
// GET /api/sidecars/:id/clusters (its `/clusters?format=json`, hosts and their health per upstream
// cluster) and GET /api/sidecars/:id/config_dump (the admin `/config_dump` document, passed through).
import { z } from 'zod';

export const UpstreamHostSchema = z.object({
  /** IP (or pipe path, or internal listener name) and port, as Envoy lists the host. */
  address: z.string(),
  port: z.number().int().nonnegative(),
  hostname: z.string().optional(),
  /** False when a flag takes the host out of load balancing (failed health check, outlier ejection…). */
  healthy: z.boolean(),
  /** Envoy's health flags as its text `/clusters` prints them, e.g. `failed_outlier_check`. */
  flags: z.array(z.string()),
  /** Load-balancing weight (`LbEndpoint.load_balancing_weight`, at least 1). */
  weight: z.number().nonnegative(),
});
export type UpstreamHostStatus = z.infer<typeof UpstreamHostSchema>;

export const SidecarClusterSchema = z.object({
  name: z.string(),
  hosts: z.array(UpstreamHostSchema),
  healthyHosts: z.number().int().nonnegative(),
});
export type SidecarCluster = z.infer<typeof SidecarClusterSchema>;

export const SidecarClustersSchema = z.object({
  sidecarId: z.string(),
  /** Epoch ms when the sidecar answered. */
  fetchedAt: z.number(),
  clusters: z.array(SidecarClusterSchema),
});
export type SidecarClusters = z.infer<typeof SidecarClustersSchema>;

/** Largest `/config_dump` passed through (an istio-proxy's is a few MB; a bigger one is refused with 502). */
export const MAX_CONFIG_DUMP_BYTES = 16 * 1024 * 1024;
