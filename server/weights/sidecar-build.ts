// What a sidecar is, from its `/server_info` (envoy.admin.v3.ServerInfo): whether it reloads its
// bootstrap file by itself, and where that file is. Real Envoy reads a static bootstrap once (a new
// one takes a restart, or a hot restart); its `version` is the build string
// `<commit>/<x.y.z>/<Clean|Modified>/<RELEASE|DEBUG>/<TLS library>` and its `command_line_options`
// carry `config_path` (envoy.admin.v3.CommandLineOptions). meshscope-proxy answers with its own
// command line, whose `watch` option (on unless `--no-watch`) means it applies a changed bootstrap
// file live (proxy/main.ts); Envoy has no such option.
import type { SidecarTarget } from '../model/inventory.ts';
import { adminRequest } from '../sources/envoy/admin-client.ts';
import { parseAdminJson } from '../sources/envoy/proto-json.ts';

export interface SidecarBuild {
  product: 'envoy' | 'meshscope-proxy' | 'unknown';
  /** The `version` field as the sidecar reported it. */
  version: string;
  /** Applies a changed bootstrap file without a restart. */
  hotReload: boolean;
  /** `-c` / `--config-path`: the bootstrap file on the sidecar's file system. */
  configPath: string | undefined;
}

const ENVOY_BUILD = /^[0-9a-f]{40}\/\d+\.\d+\.\d+[^/]*\/[^/]+\/[^/]+\/[^/]+$/;

function record(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** Pure: a parsed `/server_info` document. */
export function sidecarBuildFromServerInfo(doc: unknown): SidecarBuild {
  const info = record(doc);
  const version = typeof info['version'] === 'string' ? info['version'] : '';
  const options = record(info['command_line_options']);
  // proto3 JSON may use either field name form (config_path / configPath).
  const path = options['config_path'] ?? options['configPath'];
  const configPath = typeof path === 'string' && path !== '' ? path : undefined;
  if (typeof options['watch'] === 'boolean') {
    return { product: 'meshscope-proxy', version, hotReload: options['watch'], configPath };
  }
  return { product: ENVOY_BUILD.test(version) ? 'envoy' : 'unknown', version, hotReload: false, configPath };
}

export async function fetchSidecarBuild(target: SidecarTarget, timeoutMs: number): Promise<SidecarBuild> {
  const res = await adminRequest(target.admin, 'GET', '/server_info', {
    timeoutMs,
    maxBytes: 1024 * 1024,
    target: target.id,
  });
  return sidecarBuildFromServerInfo(parseAdminJson(res.body, `${target.id}: GET ${res.url}`));
}
