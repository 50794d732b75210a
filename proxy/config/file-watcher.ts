// Notices when a configuration file's content changes, whatever the change looks like: an in-place
// edit, an editor's write-and-rename, or a Kubernetes ConfigMap update (the mounted file is a symlink
// through `..data`, which the kubelet swaps atomically — the file's own inode never changes).
// fs.watch on the directory gives a fast signal; a 1 s content poll is the safety net, because
// inotify misses symlink swaps one level up and is unreliable on some volume types.
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';

export interface FileWatcher {
  close(): void;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function watchFiles(paths: readonly string[], onChange: () => void, pollMs = 1000): FileWatcher {
  const last = new Map<string, string | undefined>(paths.map((p) => [p, readOrUndefined(p)]));
  let debounce: NodeJS.Timeout | undefined;
  const check = () => {
    let changed = false;
    for (const p of paths) {
      const now = readOrUndefined(p);
      if (now !== last.get(p)) {
        last.set(p, now);
        changed = true;
      }
    }
    if (changed) onChange();
  };
  const soon = () => {
    if (debounce) clearTimeout(debounce);
    // Editors write in several steps; wait for the burst to settle.
    debounce = setTimeout(check, 50);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(paths.map((p) => dirname(p)))) {
    try {
      const w = watch(dir, { persistent: false }, soon);
      w.on('error', () => {});
      watchers.push(w);
    } catch {
      // the poll still covers it
    }
  }
  const timer = setInterval(check, pollMs);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      if (debounce) clearTimeout(debounce);
      for (const w of watchers) w.close();
    },
  };
}
