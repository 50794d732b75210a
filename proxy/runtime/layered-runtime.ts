// Envoy's layered runtime (bootstrap `layered_runtime`): an ordered list of layers, later ones
// overriding earlier ones — static (from the bootstrap), disk (a directory, reloaded when its symlink is
// swapped) and admin (`/runtime_modify`). Readers see one merged snapshot, rebuilt whenever a layer
// changes, so `getInteger` on the request path is a single Map lookup.
//
// Disk layers follow Envoy: a missing directory is simply absent from the snapshot (and from /runtime's
// `layers`), not an error. Where Envoy would drop a layer whose directory cannot be read, we keep its
// previous values and retry: a transient error during a swap should not flip traffic weights.
import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { RuntimeLayer } from '../config/model.ts';
import type { Counter, Gauge, StatsStore } from '../stats/store.ts';
import { diskLayerDirectory, diskLayerTarget, readDiskLayer } from './disk-layer.ts';
import { dumpRuntime, type RuntimeDump } from './runtime-dump.ts';
import { flattenStaticLayer, type RuntimeEntry, runtimeEntry, sameValues } from './runtime-values.ts';

export type RuntimeLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export interface LayeredRuntimeOptions {
  /** `node.cluster`, appended to disk layer paths with `append_service_cluster`. */
  serviceCluster: string;
  log?: RuntimeLog;
  /** Checks an admin override before it is applied: an error message, or undefined to accept. */
  validate?: (key: string, value: string) => string | undefined;
  /** Called after the merged values or any layer's values changed. */
  onChange?: () => void;
  /** Maintains Envoy's `runtime.*` stats when given. */
  stats?: StatsStore;
  /** How often disk layers' symlinks are checked besides fs.watch; default 1000 ms. */
  pollIntervalMs?: number;
  /** Use fs.watch besides polling (default true); off where inotify sees nothing, e.g. some network mounts. */
  watchFiles?: boolean;
}

/** A rejected `/runtime_modify`: nothing was applied. */
export class RuntimeModifyError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'RuntimeModifyError';
    this.problems = problems;
  }
}

type DiskLayerConfig = Extract<RuntimeLayer, { kind: 'disk' }>;

interface DiskState {
  readonly config: DiskLayerConfig;
  readonly dir: string;
  /** undefined: directory missing (layer absent). */
  values: Map<string, string> | undefined;
  fingerprint: string | undefined;
  /** The last read error, so a persistent one is logged once, not at every poll. */
  lastError: string | undefined;
}

interface RuntimeStats {
  loadSuccess: Counter;
  loadError: Counter;
  numKeys: Gauge;
  numLayers: Gauge;
  overrideDirExists: Counter;
  overrideDirNotExists: Counter;
  adminOverridesActive: Gauge;
}

export class LayeredRuntime {
  private readonly config: readonly RuntimeLayer[];
  private readonly opts: LayeredRuntimeOptions;
  private readonly log: RuntimeLog;
  private readonly staticValues = new Map<string, Map<string, string>>();
  private readonly disk = new Map<string, DiskState>();
  private readonly admin: Map<string, string> | undefined;
  private readonly stats: RuntimeStats | undefined;
  private layers: { name: string; values: ReadonlyMap<string, string> }[] = [];
  private merged = new Map<string, RuntimeEntry>();
  private watchers: FSWatcher[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private checkAgain = false;
  private closed = false;
  /** onChange reports changes after start(), not the initial load. */
  private started = false;

  constructor(layers: readonly RuntimeLayer[], opts: LayeredRuntimeOptions) {
    this.config = layers;
    this.opts = opts;
    this.log = opts.log ?? (() => {});
    const names = new Set<string>();
    let admin: Map<string, string> | undefined;
    for (const l of layers) {
      if (names.has(l.name)) throw new Error(`Duplicate layer name: ${l.name}`);
      names.add(l.name);
      if (l.kind === 'static') this.staticValues.set(l.name, flattenStaticLayer(l.values));
      else if (l.kind === 'disk') {
        const dir = diskLayerDirectory(l, opts.serviceCluster);
        this.disk.set(l.name, {
          config: l,
          dir,
          values: undefined,
          fingerprint: undefined,
          lastError: undefined,
        });
      } else {
        if (admin) {
          throw new Error('Too many admin layers specified in LayeredRuntime, at most one may be specified');
        }
        admin = new Map();
      }
    }
    this.admin = admin;
    this.stats = opts.stats ? runtimeStats(opts.stats) : undefined;
    this.rebuild(false);
  }

  /** Loads the disk layers, then follows their symlinks (fs.watch on the parent, plus polling). */
  async start(): Promise<void> {
    if (this.disk.size === 0) return;
    await this.check();
    this.started = true;
    this.rewatch();
    this.pollTimer = setInterval(() => this.scheduleCheck(0), this.opts.pollIntervalMs ?? 1000);
    this.pollTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  get(key: string): string | undefined {
    return this.merged.get(key)?.value;
  }

  /** The key's value as a non-negative integer, or `fallback` (absent, negative, not a number). */
  getInteger(key: string, fallback: number): number {
    const e = this.merged.get(key);
    if (e === undefined) return fallback;
    const v = e.integer;
    return v === undefined ? fallback : v;
  }

  /** Envoy's `/runtime` JSON. */
  dump(): RuntimeDump {
    return dumpRuntime(this.layers);
  }

  /**
   * Admin-layer overrides (`/runtime_modify`): an empty value removes the key's override. All keys are
   * validated first; one rejection rejects the whole request and nothing changes.
   */
  modify(updates: Readonly<Record<string, string>>): void {
    if (!this.admin) throw new RuntimeModifyError(['No admin layer specified']);
    const problems: string[] = [];
    for (const [key, value] of Object.entries(updates)) {
      if (key === '') problems.push('empty runtime key');
      else if (value !== '') {
        const problem = this.opts.validate?.(key, value);
        if (problem !== undefined) problems.push(`${key}: ${problem}`);
      }
    }
    if (problems.length > 0) throw new RuntimeModifyError(problems);
    let changed = false;
    for (const [key, value] of Object.entries(updates)) {
      if (value === '') changed = this.admin.delete(key) || changed;
      else if (this.admin.get(key) !== value) {
        this.admin.set(key, value);
        changed = true;
      }
    }
    if (changed) this.rebuild();
  }

  private scheduleCheck(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), delayMs);
    this.debounce.unref();
  }

  /** Reloads every disk layer whose target changed; runs one at a time, coalescing requests. */
  private check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.checkAgain = false;
        if (await this.reloadChangedLayers()) {
          this.rebuild(this.started);
          this.rewatch();
        }
      } while (this.checkAgain && !this.closed);
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async reloadChangedLayers(): Promise<boolean> {
    let reloaded = false;
    for (const [name, d] of this.disk) {
      const target = await diskLayerTarget(d.config.symlinkRoot, d.dir);
      if (this.closed || target.id === d.fingerprint) continue;
      try {
        d.values = target.realDir === undefined ? undefined : await readDiskLayer(target.realDir);
        d.fingerprint = target.id;
        d.lastError = undefined;
        reloaded = true;
        this.log(
          'info',
          `runtime layer '${name}': loaded ${d.values ? `${d.values.size} keys from ${d.dir}` : `nothing (${d.dir} does not exist)`}`,
        );
      } catch (e) {
        // Keep the previous values; the fingerprint stays stale so the next poll retries.
        this.stats?.loadError.inc();
        const message = (e as Error).message;
        if (message !== d.lastError)
          this.log('warn', `runtime layer '${name}': cannot read ${d.dir}: ${message}`);
        d.lastError = message;
      }
    }
    return reloaded;
  }

  /**
   * Watches the directory holding each symlink root (a swap is a rename there) and the layer directory
   * itself (a ConfigMap's `..data` swap is a rename inside it). Re-armed after each reload because a
   * watch follows the directory it was opened on, which a swap replaces. Polling covers what inotify
   * misses (network file systems, watches opened on a directory that was then replaced).
   */
  private rewatch(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.closed || this.opts.watchFiles === false) return;
    const paths = new Set<string>();
    for (const d of this.disk.values()) {
      paths.add(dirname(d.config.symlinkRoot));
      paths.add(d.dir);
    }
    for (const p of paths) {
      try {
        const w = watch(p, { persistent: false }, () => this.scheduleCheck(20));
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // Not there (yet): the poll notices when it appears.
      }
    }
  }

  private rebuild(notify = true): void {
    const layers: { name: string; values: ReadonlyMap<string, string> }[] = [];
    let diskLoaded = 0;
    for (const l of this.config) {
      if (l.kind === 'static') layers.push({ name: l.name, values: this.staticValues.get(l.name)! });
      else if (l.kind === 'disk') {
        const values = this.disk.get(l.name)!.values;
        if (values) {
          layers.push({ name: l.name, values });
          diskLoaded++;
        }
      } else if (this.admin) layers.push({ name: l.name, values: new Map(this.admin) });
    }
    const merged = new Map<string, RuntimeEntry>();
    for (const l of layers) for (const [k, v] of l.values) merged.set(k, runtimeEntry(v));
    const changed = !sameLayers(this.layers, layers);
    this.layers = layers;
    this.merged = merged;
    const s = this.stats;
    if (s) {
      s.loadSuccess.inc();
      s.numLayers.set(layers.length);
      s.numKeys.set(merged.size);
      s.adminOverridesActive.set(this.admin && this.admin.size > 0 ? 1 : 0);
      if (diskLoaded > 0) s.overrideDirExists.inc();
      else s.overrideDirNotExists.inc();
    }
    if (changed && notify) this.opts.onChange?.();
  }
}

function sameLayers(
  a: readonly { name: string; values: ReadonlyMap<string, string> }[],
  b: readonly { name: string; values: ReadonlyMap<string, string> }[],
): boolean {
  return (
    a.length === b.length && a.every((l, i) => l.name === b[i]!.name && sameValues(l.values, b[i]!.values))
  );
}

function runtimeStats(store: StatsStore): RuntimeStats {
  // Envoy's ALL_RUNTIME_STATS; the deprecated-feature ones exist but never move here.
  store.counter('runtime.deprecated_feature_use');
  store.gauge('runtime.deprecated_feature_seen_since_process_start');
  return {
    loadSuccess: store.counter('runtime.load_success'),
    loadError: store.counter('runtime.load_error'),
    numKeys: store.gauge('runtime.num_keys'),
    numLayers: store.gauge('runtime.num_layers'),
    overrideDirExists: store.counter('runtime.override_dir_exists'),
    overrideDirNotExists: store.counter('runtime.override_dir_not_exists'),
    adminOverridesActive: store.gauge('runtime.admin_overrides_active'),
  };
}
