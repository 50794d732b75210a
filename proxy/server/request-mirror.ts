// A route's request_mirror_policies: a fire-and-forget copy of the request to a shadow cluster, sent
// once the request is complete (its body kept in the replay buffer), with the Host suffixed `-shadow`
// as Envoy's shadowAppendHost does. The shadow's answer is read and dropped; it is counted under the
// shadow cluster's stats (`upstream_rq_<code>`, overflow, timeouts) and never reaches the caller.
import type { RequestMirrorPolicy } from '../config/model.ts';
import { BodyFramer, type Framing } from '../http/body-framer.ts';
import type { ResponseHead } from '../http/head-parser.ts';
import type { IntegerRuntime } from '../router/cluster-choice.ts';
import type { ClusterHandle } from './contexts.ts';
import { type AttemptFailure, UpstreamRequest, type UpstreamRequestOwner } from './upstream-request.ts';

/**
 * Whether this request is mirrored (Envoy: `runtime_fraction`, the runtime key's integer overriding the
 * default numerator over the default's denominator; no fraction mirrors everything).
 */
export function shouldMirror(p: RequestMirrorPolicy, runtime: IntegerRuntime, random: () => number): boolean {
  const rf = p.runtimeFraction;
  if (!rf) return true;
  const numerator =
    rf.runtimeKey !== undefined ? runtime.getInteger(rf.runtimeKey, rf.numerator) : rf.numerator;
  if (numerator <= 0) return false;
  if (numerator >= rf.denominator) return true;
  return Math.floor(random() * rf.denominator) < numerator;
}

/** `example.com:8080` → `example.com-shadow:8080`; a bracketed IPv6 literal keeps its port the same way. */
export function shadowHost(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && host.lastIndexOf(']') < colon) {
    return `${host.slice(0, colon)}-shadow${host.slice(colon)}`;
  }
  return `${host}-shadow`;
}

/** The upstream head with its `host` line rewritten for the shadow (the proxy writes exactly one). */
export function shadowHead(head: string, host: string, appendSuffix: boolean): string {
  if (!appendSuffix) return head;
  return head.replace(`\r\nhost: ${host}\r\n`, `\r\nhost: ${shadowHost(host)}\r\n`);
}

/** Sends one shadow request; the caller never waits for it. */
export function sendShadow(
  cluster: ClusterHandle,
  head: string,
  body: readonly Buffer[],
  method: string,
  timeoutMs: number,
): void {
  const host = cluster.chooseHost();
  if (!host) {
    cluster.stats.cxNoneHealthy.inc();
    cluster.stats.chargeResponse(503);
    return;
  }
  new ShadowRequest(cluster, head, body, method === 'HEAD', timeoutMs, host);
}

class ShadowRequest implements UpstreamRequestOwner {
  private readonly cluster: ClusterHandle;
  private readonly attempt: UpstreamRequest;
  private readonly headOnly: boolean;
  private framer: BodyFramer | undefined;
  private head: ResponseHead | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    cluster: ClusterHandle,
    head: string,
    body: readonly Buffer[],
    headOnly: boolean,
    timeoutMs: number,
    host: NonNullable<ReturnType<ClusterHandle['chooseHost']>>,
  ) {
    this.cluster = cluster;
    this.headOnly = headOnly;
    this.attempt = new UpstreamRequest(this, host, cluster.pool(host), head, body, body.length === 0);
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => this.onTimeout(), timeoutMs);
      this.timer.unref();
    }
    this.attempt.start();
  }

  private onTimeout(): void {
    this.timer = undefined;
    this.cluster.stats.rqTimeout.inc();
    this.attempt.abort();
    if (!this.head) this.cluster.stats.chargeResponse(504);
  }

  private end(reusable: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.attempt.finish(reusable);
  }

  onUpstreamHead(head: ResponseHead, rest: Buffer): void {
    this.head = head;
    this.cluster.stats.chargeResponse(head.status);
    let framing: Framing;
    if (this.headOnly || head.status === 204 || head.status === 304 || head.status === 101) framing = 'none';
    else if (head.chunked) framing = 'chunked';
    else if (head.contentLength >= 0) framing = 'length';
    else framing = 'close';
    this.framer = new BodyFramer(framing, head.contentLength);
    if (this.framer.done) {
      this.end(!head.close && head.status !== 101 && rest.length === 0);
      return;
    }
    if (rest.length > 0) this.onUpstreamBody(rest);
  }

  onUpstreamBody(buf: Buffer): void {
    const r = this.framer!.feed(buf);
    if (r.kind === 'error') this.end(false);
    else if (r.done) this.end(!this.head!.close && r.rest === null);
  }

  onUpstreamInterim(): void {}

  onUpstreamClosed(): void {
    this.end(false);
  }

  onUpstreamFailure(f: AttemptFailure): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.cluster.stats.chargeResponse(f.kind === 'protocol-error' ? 502 : 503);
  }

  onUpstreamWritable(): void {}
}
