// One open watch: a chunked HTTP response carrying one JSON event per line,
// `{"type":"ADDED|MODIFIED|DELETED|ERROR|BOOKMARK","object":{…}}`, as the API server streams them
// (k8s.io/apimachinery/pkg/watch, serialized as meta/v1 WatchEvent). Objects go out at the version the
// watch was opened at, as the API server converts them from storage.
import type http from 'node:http';
import type { Change, KubeObject } from './object-store.ts';
import { type ResourceType, servedAt } from './resources.ts';
import { type Matcher, objectFields } from './selectors.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR' | 'BOOKMARK';

export interface WatchFilter {
  resource: string;
  namespace: string | undefined;
  labels: Matcher;
  fields: Matcher;
}

export class WatchStream {
  /** The resource and version of the watch's URL. */
  readonly type: ResourceType;
  readonly filter: WatchFilter;
  readonly allowBookmarks: boolean;
  private readonly res: http.ServerResponse;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    res: http.ServerResponse,
    type: ResourceType,
    filter: WatchFilter,
    allowBookmarks: boolean,
    timeoutSeconds: number,
  ) {
    this.res = res;
    this.type = type;
    this.filter = filter;
    this.allowBookmarks = allowBookmarks;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    // Without this the client sees no headers until the first event (client-node waits up to 30 s).
    res.flushHeaders();
    if (timeoutSeconds > 0) this.timer = setTimeout(() => this.end(), timeoutSeconds * 1000);
    res.once('close', () => clearTimeout(this.timer));
  }

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  send(type: EventType, object: unknown): void {
    if (this.open) this.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  /** Sends an event about a stored object, at this watch's version. */
  sendObject(type: Exclude<EventType, 'ERROR' | 'BOOKMARK'>, obj: KubeObject): void {
    this.send(type, servedAt(obj, this.type));
  }

  /**
   * Sends what this watch should see of a change. Through a selector, an object that starts matching
   * is ADDED and one that stops matching is DELETED, as the API server's watch cache reports them.
   */
  deliver(change: Change): void {
    if (change.resource !== this.filter.resource) return;
    const now = this.matches(change.object);
    const before = change.previous !== undefined && this.matches(change.previous);
    if (change.type === 'MODIFIED') {
      if (now && before) this.sendObject('MODIFIED', change.object);
      else if (now) this.sendObject('ADDED', change.object);
      else if (before) this.sendObject('DELETED', change.object);
    } else if (now) {
      this.sendObject(change.type, change.object);
    }
  }

  matches(obj: KubeObject): boolean {
    const f = this.filter;
    if (f.namespace !== undefined && obj.metadata.namespace !== f.namespace) return false;
    return f.labels(obj.metadata.labels ?? {}) && f.fields(objectFields(obj));
  }

  /** A normal end of the stream: the client re-watches from its last resourceVersion. */
  end(): void {
    clearTimeout(this.timer);
    if (this.open) this.res.end();
  }

  /** An abrupt end: the connection is reset mid-stream. */
  reset(): void {
    clearTimeout(this.timer);
    this.res.socket?.resetAndDestroy();
  }
}
