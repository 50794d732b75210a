// One async task at a time per key: a route's version check, apply and audit run as one step, so two
// concurrent changes with the same If-Match cannot both pass the check; a runtime directory's
// read-merge-write is not interleaved with another route's.
export class KeyLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last one out removes the key, so the map does not grow with every route ever locked.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Runs under every key at once (taken in sorted order, so two callers cannot deadlock). */
  async runAll<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const step = (i: number): Promise<T> =>
      i === sorted.length ? task() : this.run(sorted[i]!, () => step(i + 1));
    return step(0);
  }
}
