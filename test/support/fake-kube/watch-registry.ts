// The fake API server's open watches and the test hooks that act on them: opening a watch (initial
// state or replay from a resourceVersion, 410 Gone after a compaction, injected failures), fanning
// store changes out to every watch, bookmarks, and ending watches normally or by resetting them.
import type http from 'node:http';
import { reasonOf, statusBody } from './api-status.ts';
import { sendJson } from './http-io.ts';
import type { ObjectStore } from './object-store.ts';
import { parseSelector, type ResourceRoute } from './resource-route.ts';
import { apiVersionOf } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { WatchStream } from './watch-stream.ts';

interface WatchFailure {
  status: number;
  resource: string | undefined;
  remaining: number;
}

export class WatchRegistry {
  private readonly store: ObjectStore;
  private readonly watches = new Set<WatchStream>();
  private readonly failures: WatchFailure[] = [];
  private goneAs: 'event' | 'status' = 'event';

  constructor(store: ObjectStore) {
    this.store = store;
    store.subscribe((change) => {
      for (const w of this.watches) w.deliver(change);
    });
  }

  /** How a watch from a compacted resourceVersion learns it is gone: an ERROR event or an HTTP 410. */
  goneStyle(as: 'event' | 'status'): void {
    this.goneAs = as;
  }

  /** The next `count` watch requests (of one resource, or any) fail with `status`. */
  failNext(status: number, resource: string | undefined, count: number): void {
    this.failures.push({ status, resource, remaining: count });
  }

  /** Answers a watch request: a failure if one is injected, else a stream kept open until it ends. */
  open(res: http.ServerResponse, route: ResourceRoute, query: URLSearchParams): void {
    const resource = route.type.resource;
    const failure = this.failures.find((f) => f.resource === undefined || f.resource === resource);
    if (failure) {
      if (--failure.remaining <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      sendJson(
        res,
        failure.status,
        statusBody(failure.status, reasonOf(failure.status), 'injected watch failure'),
      );
      return;
    }
    const filter = {
      resource,
      namespace: route.namespace,
      labels: parseSelector(parseLabelSelector, query.get('labelSelector')),
      fields: parseSelector(parseFieldSelector, query.get('fieldSelector')),
    };
    const rv = query.get('resourceVersion') ?? '';
    // "" and "0": start with the current state as synthetic ADDED events (the API server's "Get State
    // and Start at Most Recent" / "Start at Any" semantics); otherwise replay what came after rv.
    const replay = rv === '' || rv === '0' ? undefined : this.store.changesSince(resource, Number(rv));
    const gone = statusBody(
      410,
      'Expired',
      `too old resource version: ${rv} (${this.store.resourceVersion})`,
    );
    if (replay === 'gone' && this.goneAs === 'status') {
      sendJson(res, 410, gone);
      return;
    }
    const stream = new WatchStream(
      res,
      route.type,
      filter,
      query.get('allowWatchBookmarks') === 'true',
      Number(query.get('timeoutSeconds') ?? 0),
    );
    if (replay === 'gone') {
      stream.send('ERROR', gone);
      stream.end();
      return;
    }
    if (replay === undefined) {
      for (const o of this.store.list(resource, route.namespace))
        if (stream.matches(o)) stream.sendObject('ADDED', o);
    } else {
      for (const change of replay) stream.deliver(change);
    }
    this.watches.add(stream);
    res.once('close', () => this.watches.delete(stream));
  }

  /** Ends open watches (of one resource, or all): normally, or by resetting their connections. */
  drop(opts: { resource?: string; reset?: boolean }): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (opts.resource !== undefined && w.filter.resource !== opts.resource) continue;
      this.watches.delete(w);
      if (opts.reset) w.reset();
      else w.end();
      n++;
    }
    return n;
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watches) {
      if (!w.allowBookmarks) continue;
      w.send('BOOKMARK', {
        kind: w.type.kind,
        apiVersion: apiVersionOf(w.type),
        metadata: { resourceVersion: this.store.resourceVersion },
      });
    }
  }

  /** Open watches, of one resource or all. */
  count(resource?: string): number {
    let n = 0;
    for (const w of this.watches)
      if (w.open && (resource === undefined || w.filter.resource === resource)) n++;
    return n;
  }

  /** Ends every watch normally (the server is closing). */
  endAll(): void {
    for (const w of this.watches) w.end();
    this.watches.clear();
  }
}
