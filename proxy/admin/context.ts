// What the admin endpoints need from the running proxy. The server fills it in; the admin layer only
// reads it (and calls the few mutators Envoy's admin API has: runtime overrides, health-check flag, quit).
import type { Bootstrap, Cluster } from '../config/model.ts';
import type { StatsStore } from '../stats/store.ts';
import type { Host } from '../upstream/host.ts';

/** `/runtime` as Envoy prints it: layer names in order, and each key's value per layer ('' if unset). */
export interface RuntimeDump {
  layers: string[];
  entries: Record<string, { final_value: string; layer_values: string[] }>;
}

/** Envoy's `envoy.admin.v3.ServerInfo.State` values. */
export type ServerState = 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING';

export interface AdminContext {
  stats: StatsStore;
  /** Current normalized config; `raw` feeds /config_dump. */
  bootstrap(): Bootstrap;
  clusters(): Iterable<{ config: Cluster; hosts: readonly Host[] }>;
  runtime: {
    dump(): RuntimeDump;
    /** Applies admin-layer overrides ('' removes one); throws Error with a clear message on bad input. */
    modify(updates: Record<string, string>): void;
  };
  server: {
    state(): ServerState;
    startTime: Date;
    version: string;
    commandLine: Record<string, unknown>;
    /** Set by POST /healthcheck/fail, cleared by POST /healthcheck/ok. */
    healthcheckFailed: boolean;
    quit(): void;
    /** When the config was last (re)loaded; /config_dump's `last_updated`. Defaults to startTime. */
    reloadedAt?(): Date;
  };
}
