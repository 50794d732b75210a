// envoy.config.bootstrap.v3.Bootstrap: node, admin, static resources and the layered runtime.

import { z } from 'zod';
import { accessLogSchema } from './schema-access-log.ts';
import { clusterSchema } from './schema-cluster.ts';
import { addressSchema, envoyMessage, nonEmptyString } from './schema-common.ts';
import { listenerSchema } from './schema-listener.ts';

/** A google.protobuf.Struct: any JSON object, kept as written. */
const structSchema = z.record(z.string(), z.unknown());

export const nodeSchema = envoyMessage(
  {
    id: z.string().optional(),
    cluster: z.string().optional(),
    // Node metadata is only reported back (e.g. /server_info); it has no behaviour to implement.
    metadata: structSchema.optional(),
  },
  {
    notYet: [
      'dynamic_parameters',
      'locality',
      'user_agent_name',
      'user_agent_version',
      'user_agent_build_version',
      'extensions',
      'client_features',
      'listening_addresses',
    ],
    removed: { build_version: 'use user_agent_version' },
  },
);

export const adminSchema = envoyMessage(
  {
    address: addressSchema.optional(),
    access_log_path: z.string().optional(),
    access_log: z.array(accessLogSchema).optional(),
    // Where /cpuprofiler would write; we have no profiler endpoint, so the value has nothing to drive.
    profile_path: z.string().optional(),
  },
  { notYet: ['socket_options', 'ignore_global_conn_limit'] },
);

export const runtimeLayerSchema = envoyMessage(
  {
    name: z.string().optional(),
    static_layer: structSchema.optional(),
    disk_layer: envoyMessage({
      symlink_root: nonEmptyString,
      subdirectory: z.string().optional(),
      append_service_cluster: z.boolean().optional(),
    }).optional(),
    admin_layer: envoyMessage({}).optional(),
  },
  { notYet: ['rtds_layer'] },
);

export const layeredRuntimeSchema = envoyMessage({ layers: z.array(runtimeLayerSchema).optional() });

export const staticResourcesSchema = envoyMessage(
  {
    listeners: z.array(listenerSchema).optional(),
    clusters: z.array(clusterSchema).optional(),
  },
  { notYet: ['secrets'] },
);

export const bootstrapSchema = envoyMessage(
  {
    node: nodeSchema.optional(),
    admin: adminSchema.optional(),
    static_resources: staticResourcesSchema.optional(),
    layered_runtime: layeredRuntimeSchema.optional(),
  },
  {
    notYet: [
      'node_context_params',
      'dynamic_resources',
      'cluster_manager',
      'hds_config',
      'flags_path',
      'stats_sinks',
      'stats_config',
      'stats_flush_interval',
      'stats_flush_on_admin',
      'watchdog',
      'watchdogs',
      'tracing',
      'overload_manager',
      'enable_dispatcher_stats',
      'header_prefix',
      'stats_server_version_override',
      'use_tcp_for_dns_lookups',
      'dns_resolution_config',
      'typed_dns_resolver_config',
      'bootstrap_extensions',
      'fatal_actions',
      'config_sources',
      'default_config_source',
      'default_socket_interface',
      'certificate_provider_instances',
      'inline_headers',
      'perf_tracing_file_path',
      'default_regex_engine',
      'xds_delegate_extension',
      'xds_config_tracker_extension',
      'listener_manager',
      'application_log_config',
      'grpc_async_client_manager_config',
      'memory_allocator_manager',
    ],
    removed: { runtime: 'use layered_runtime' },
  },
);

export type BootstrapInput = z.output<typeof bootstrapSchema>;
