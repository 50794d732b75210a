// A sidecar's bootstrap as a document the static strategy rewrites: locally a file, in Kubernetes a
// ConfigMap key (bootstrap-configmap-document.ts). Each write carries a precondition (the text's hash,
// a resourceVersion), so an edit made by someone else since the read is never overwritten.
//
// A file is replaced atomically: the new text goes to a temporary file in the same directory, is
// fsynced, renamed over the old one (rename(2) is atomic within a file system), and the directory is
// fsynced so the rename itself survives a crash. A reader (the proxy's file watcher, a restarting
// Envoy) sees the old text or the new one, never a mix. A symlinked path is written through to its
// target, so the link stays.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarBuild } from './sidecar-build.ts';

export interface BootstrapDocument {
  /** Identity: replicas with the same key share the document (one write for all). */
  readonly key: string;
  readonly kind: 'bootstrap-file' | 'configmap';
  /** For people: a path, or `configmap namespace/name key`. */
  readonly location: string;
  /** The text, and the precondition token for write(). */
  read(): Promise<{ text: string; token: string }>;
  /** Replaces the text if it is still the one `token` was read with (else throws a ConflictError). */
  write(text: string, token: string): Promise<void>;
}

/** How a replica takes a rewritten bootstrap. */
export type BootstrapReload =
  /** It watches the file and applies it at once (meshscope-proxy). */
  | 'live'
  /** It watches the file, which the kubelet updates from the ConfigMap within about a minute. */
  | 'kubelet'
  /** Only a restart reads it (Envoy; or a subPath mount, which the kubelet never updates). */
  | 'restart';

export type BootstrapLookup = (
  target: SidecarTarget,
  build: SidecarBuild | undefined,
) => Promise<{ ok: true; doc: BootstrapDocument; reload: BootstrapReload } | { ok: false; reason: string }>;

export class ConflictError extends Error {}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

export class BootstrapFile implements BootstrapDocument {
  readonly kind = 'bootstrap-file' as const;
  readonly key: string;
  readonly location: string;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.key = `file:${path}`;
    this.location = path;
  }

  async read(): Promise<{ text: string; token: string }> {
    const text = await readFile(this.path, 'utf8');
    return { text, token: hash(text) };
  }

  async write(text: string, token: string): Promise<void> {
    const target = await realpath(this.path);
    const { mode } = await stat(target);
    if (hash(await readFile(target, 'utf8')) !== token) {
      throw new ConflictError(`${this.path} changed since it was read`);
    }
    const dir = dirname(target);
    const tmp = join(dir, `.${basename(target)}.meshscope-${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode & 0o7777);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    const d = await open(dir, constants.O_RDONLY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
}

function isLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * On this machine: the target's `bootstrap` from the targets file, else the `-c` path the sidecar
 * reports in /server_info when its admin address is loopback (then its files are ours too).
 */
export const localBootstrapLookup: BootstrapLookup = async (target, build) => {
  const path = target.bootstrapPath ?? (isLoopback(target.admin.baseUrl) ? build?.configPath : undefined);
  if (path === undefined) {
    return {
      ok: false,
      reason: `${target.id}: its bootstrap file is unknown (set \`bootstrap\` in the targets file)`,
    };
  }
  try {
    await stat(path);
  } catch (e) {
    return { ok: false, reason: `${target.id}: cannot read its bootstrap ${path}: ${(e as Error).message}` };
  }
  return { ok: true, doc: new BootstrapFile(path), reload: build?.hotReload ? 'live' : 'restart' };
};
