// Discovery from a targets file, re-read when it changes (the demo rewrites it as its mesh changes).
// A file that stops validating is reported and the last good inventory is kept.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type FileWatcher, watchFiles } from '../../../proxy/config/file-watcher.ts';
import type { Inventory, InventorySource } from '../../model/inventory.ts';
import { TargetsFileSchema } from './targets-schema.ts';
import { targetsToInventory } from './targets-to-inventory.ts';

export class TargetsFileError extends Error {}

/** Reads and validates a targets file; errors name the file and the field path. */
export function loadTargetsFile(path: string): Inventory {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TargetsFileError(`${path}: ${(e as Error).message}`);
  }
  const r = TargetsFileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new TargetsFileError(`${path}: ${where || '(document)'}: ${issue.message}`);
  }
  return targetsToInventory(r.data);
}

export class TargetsFileSource implements InventorySource {
  private inventory: Inventory = { workloads: [], services: [], sidecars: [] };
  private readonly listeners: (() => void)[] = [];
  private watcher: FileWatcher | undefined;
  private readonly path: string;
  private readonly log: (msg: string) => void;
  lastError: string | undefined;

  constructor(path: string, log: (msg: string) => void = () => {}) {
    this.path = path;
    this.log = log;
  }

  current(): Inventory {
    return this.inventory;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.inventory = loadTargetsFile(this.path);
    this.watcher = watchFiles([this.path], () => this.reload());
  }

  private reload(): void {
    try {
      this.inventory = loadTargetsFile(this.path);
      this.lastError = undefined;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.log(`targets file rejected, keeping the previous inventory: ${this.lastError}`);
      return;
    }
    for (const l of this.listeners) l();
  }

  async stop(): Promise<void> {
    this.watcher?.close();
  }
}
