// The upstream half of a request, as Envoy's router filter: one attempt at a time at a host of the
// chosen cluster (UpstreamRequest), the route's retry_policy between attempts (RetryState, with the
// body kept in a ReplayBuffer when it may have to be sent again), the route timeout and per-try
// timeout, and the request_mirror_policies' shadows once the request is complete. Every attempt is
// charged to the cluster (`upstream_rq_<code>`) and its host as it ends. What the client sees — the
// response relayed, a local reply, a reset — is the exchange's business (RouterOwner).
import type { RequestMirrorPolicy, RouteAction } from '../config/model.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';
import { chooseWeightedCluster, type IntegerRuntime, type WeightedChoice } from '../router/cluster-choice.ts';
import type { Host } from '../upstream/host.ts';
import type { ClusterHandle, ProxyCore } from './contexts.ts';
import type { ExchangeDeadlines } from './exchange-deadlines.ts';
import { type LocalReply, replies } from './local-reply.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { sendShadow, shadowHead, shouldMirror } from './request-mirror.ts';
import { type AttemptOutcome, RetryState } from './retry-state.ts';
import { type AttemptFailure, UpstreamRequest, type UpstreamRequestOwner } from './upstream-request.ts';

const NO_CHUNKS: readonly Buffer[] = [];

/** The route's cluster: `cluster`, or a weighted draw (runtime weights read per request). */
export function pickCluster(
  action: RouteAction,
  weighted: ReadonlyMap<RouteAction, WeightedChoice>,
  runtime: IntegerRuntime,
): string | undefined {
  if (action.cluster !== undefined) return action.cluster;
  const choice = weighted.get(action);
  return choice ? chooseWeightedCluster(choice, runtime, Math.random()) : undefined;
}

/** What the router needs from the exchange it works for. */
export interface RouterOwner {
  /** True once the response (head or local reply) started towards the client. */
  readonly responseStarted: boolean;
  /** The client's connection: paused for request-body backpressure and retry back-off; 1xx relayed. */
  readonly downstream: { pause(): void; resume(): void; write(data: Buffer): boolean };
  /** The final response head to relay; `attempt` is the one that produced it. */
  onResponseHead(head: ResponseHead, rest: Buffer, attempt: UpstreamRequest): void;
  onResponseBody(buf: Buffer): void;
  /** The upstream connection ended after the head was relayed. */
  onUpstreamClosed(): void;
  addFlag(flag: string): void;
  /** The request cannot be served: a local reply, or a reset if the response already started. */
  fail(reply: LocalReply): void;
}

export class RouterFilter implements UpstreamRequestOwner {
  private readonly owner: RouterOwner;
  private readonly core: ProxyCore;
  readonly cluster: ClusterHandle;
  private readonly action: RouteAction;
  private readonly req: RequestHead;
  private readonly upstreamHead: string;
  private readonly deadlines: ExchangeDeadlines;
  /** The load balancer's hash for this request (hash_policy), if any. */
  private readonly hash: bigint | undefined;
  /** The host of the latest attempt (the access log's %UPSTREAM_HOST%). */
  host: Host | undefined;
  private attempt: UpstreamRequest | undefined;
  private retry: RetryState | undefined;
  private backoff: NodeJS.Timeout | undefined;
  /** The mirror policies this request was drawn for. */
  private mirrors: RequestMirrorPolicy[] | undefined;
  private replay: ReplayBuffer | undefined;
  /** Body pieces received before the first attempt (when no replay buffer keeps them). */
  private queued: Buffer[] | null = null;
  private requestCompleted = false;
  private started = false;
  private ended = false;

  constructor(
    owner: RouterOwner,
    core: ProxyCore,
    cluster: ClusterHandle,
    action: RouteAction,
    req: RequestHead,
    upstreamHead: string,
    deadlines: ExchangeDeadlines,
    hash: bigint | undefined,
  ) {
    this.owner = owner;
    this.core = core;
    this.cluster = cluster;
    this.action = action;
    this.req = req;
    this.upstreamHead = upstreamHead;
    this.deadlines = deadlines;
    this.hash = hash;
    if (action.retryPolicy) {
      const retries = cluster.resources.forPriority(action.priority).retries;
      this.retry = new RetryState(action.retryPolicy, retries, cluster.stats);
    }
    if (action.requestMirrorPolicies && req.upgrade === undefined) {
      const drawn = action.requestMirrorPolicies.filter((p) => shouldMirror(p, core.runtime, Math.random));
      if (drawn.length > 0) this.mirrors = drawn;
    }
    if ((this.retry || this.mirrors) && (req.chunked || req.contentLength > 0))
      this.replay = new ReplayBuffer();
  }

  /** The host for the next attempt; without one, a 503 UH (`upstream_cx_none_healthy`) and false. */
  selectHost(): boolean {
    const cluster = this.cluster;
    const host = cluster.chooseHost(this.hash);
    if (!host) {
      cluster.stats.cxNoneHealthy.inc();
      cluster.stats.chargeResponse(503);
      this.owner.fail(replies.noHealthyUpstream());
      return false;
    }
    this.host = host;
    return true;
  }

  /** Starts an attempt at the selected host. */
  startAttempt(): void {
    const host = this.host!;
    const bodyless = !this.req.chunked && this.req.contentLength <= 0;
    const initial = this.replay ? this.replay.contents : (this.queued ?? NO_CHUNKS);
    this.queued = null;
    this.started = true;
    const pool = this.cluster.pool(host, this.action.priority);
    const a = new UpstreamRequest(this, host, pool, this.upstreamHead, initial, bodyless);
    this.attempt = a;
    const perTry = this.retry?.perTryTimeoutMs;
    if (perTry !== undefined && this.requestCompleted) this.deadlines.startPerTry(perTry);
    a.start();
  }

  /** The whole request is in: the route timeout starts (Envoy), and the shadows go out. */
  requestComplete(): void {
    if (this.requestCompleted || this.ended || !this.started) return;
    this.requestCompleted = true;
    const action = this.action;
    this.deadlines.startGlobal(action.timeoutMs);
    const perTry = this.retry?.perTryTimeoutMs;
    if (perTry !== undefined && this.attempt) this.deadlines.startPerTry(perTry);
    if (this.mirrors && !this.replay?.abandoned) {
      const host = action.hostRewriteLiteral ?? this.req.authority;
      const body = this.replay?.contents ?? NO_CHUNKS;
      for (const p of this.mirrors) {
        const shadow = this.core.cluster(p.cluster);
        const head = shadowHead(this.upstreamHead, host, p.disableShadowHostSuffixAppend !== true);
        if (shadow) sendShadow(shadow, head, body, this.req.method, action.timeoutMs);
      }
    }
  }

  /** Request body bytes (or tunnel bytes) for the upstream. */
  forward(piece: Buffer): void {
    if (this.ended) return;
    const replay = this.replay;
    if (replay && !replay.abandoned && !replay.append(piece)) this.abandonReplay();
    const a = this.attempt;
    if (a) {
      if (!a.write(piece)) this.owner.downstream.pause();
    } else if (!replay) {
      if (!this.queued) this.queued = [];
      this.queued.push(piece);
      this.owner.downstream.pause();
    } else if (replay.abandoned && this.backoff) {
      // Waiting to retry, and the body outgrew what can be replayed: Envoy gives up on the request.
      this.abort();
      this.owner.fail({
        status: 507,
        body: 'exceeded request buffer limit while retrying upstream',
        flag: '',
      });
    } else {
      this.owner.downstream.pause(); // kept in the replay buffer for the next attempt
    }
  }

  /** The body is too big to keep: no retry, no shadow for this request (`retry_or_shadow_abandoned`). */
  private abandonReplay(): void {
    this.cluster.stats.retryOrShadowAbandoned.inc();
    this.retry?.release();
    this.retry = undefined;
    this.mirrors = undefined;
  }

  pauseUpstream(): void {
    this.attempt?.pauseReading();
  }

  resumeUpstream(): void {
    this.attempt?.resumeReading();
  }

  /** The response is complete: the connection goes back to the pool when `reusable`. */
  responseComplete(reusable: boolean): void {
    const a = this.attempt;
    this.attempt = undefined;
    a?.finish(reusable);
  }

  /** Abandons the upstream side: the live attempt (an error at its host) and any retry wait. */
  abort(): void {
    const a = this.attempt;
    this.attempt = undefined;
    if (a) {
      this.hostOutcome(a, false);
      a.abort();
    }
    if (this.backoff) {
      clearTimeout(this.backoff);
      this.backoff = undefined;
    }
  }

  /** The exchange is over: nothing more goes upstream, and the retry slot is given back. */
  end(): void {
    this.ended = true;
    this.abort();
    this.retry?.release();
  }

  // ---- the attempt's outcome ----

  onUpstreamHead(head: ResponseHead, rest: Buffer): void {
    const a = this.attempt!;
    this.deadlines.touch();
    this.cluster.stats.chargeResponse(head.status);
    this.hostOutcome(a, head.status < 500);
    a.host.outlier.putHttpResponseCode(head.status);
    if (head.status === 101 && this.req.upgrade === undefined) {
      this.attemptFailed({ kind: 'reset' }, replies.upstreamProtocolError(), false);
      return;
    }
    if (this.retry && head.status !== 101) {
      const decision = this.retry.shouldRetry({ kind: 'response', status: head.status });
      if (decision === 'yes') {
        this.attempt = undefined;
        a.abort();
        this.scheduleRetry();
        return;
      }
      if (decision === 'limit-exceeded') this.owner.addFlag('URX');
      else if (decision === 'overflow') this.owner.addFlag('UO');
    }
    this.deadlines.clearPerTry();
    this.owner.onResponseHead(head, rest, a);
  }

  onUpstreamBody(buf: Buffer): void {
    this.deadlines.touch();
    this.owner.onResponseBody(buf);
  }

  onUpstreamInterim(raw: Buffer): void {
    this.owner.downstream.write(raw);
  }

  onUpstreamClosed(): void {
    this.owner.onUpstreamClosed();
  }

  onUpstreamWritable(): void {
    this.owner.downstream.resume();
  }

  onUpstreamFailure(f: AttemptFailure): void {
    if (this.ended) return;
    if (f.kind === 'overflow') {
      this.attemptFailed({ kind: 'overflow' }, replies.overflow(), true);
    } else if (f.kind === 'connect-failure') {
      this.attemptFailed({ kind: 'connect-failure' }, replies.connectFailure(f.detail), true);
    } else if (f.kind === 'reset') {
      this.attemptFailed({ kind: 'reset' }, replies.upstreamReset(), true);
    } else {
      // Envoy counts a protocol error as a reset reason: retried by 5xx, gateway-error and reset.
      this.attemptFailed({ kind: 'reset' }, replies.upstreamProtocolError(), true);
    }
  }

  /** The route timeout or the per-try timeout expired. */
  onTimeout(kind: 'global' | 'per-try'): void {
    if (this.ended) return;
    const a = this.attempt;
    const cs = this.cluster.stats;
    if (kind === 'per-try') {
      // Envoy ignores a per-try timeout once the response has started downstream.
      if (!a || this.owner.responseStarted) return;
      cs.rqPerTryTimeout.inc();
      a.host.stats.rq_timeout++;
      this.attemptFailed({ kind: 'per-try-timeout' }, replies.upstreamTimeout(), true);
      return;
    }
    cs.rqTimeout.inc();
    if (a) {
      a.host.stats.rq_timeout++;
      a.host.outlier.putHttpResponseCode(504);
      if (!this.owner.responseStarted) cs.chargeResponse(504);
    }
    this.owner.addFlag('UT');
    this.abort();
    this.owner.fail(replies.upstreamTimeout());
  }

  /** An attempt ended without a usable response: charge it, then retry or fail with `reply`. */
  private attemptFailed(outcome: AttemptOutcome, reply: LocalReply, charge: boolean): void {
    const a = this.attempt;
    this.attempt = undefined;
    this.deadlines.clearPerTry();
    if (a) {
      a.abort();
      if (charge) this.cluster.stats.chargeResponse(reply.status);
      this.hostOutcome(a, false);
      // Outlier detection sees a failure without a response as the code of its local reply (503, 504).
      if (outcome.kind !== 'overflow') a.host.outlier.putHttpResponseCode(reply.status);
    }
    if (this.retry) {
      const decision = this.retry.shouldRetry(outcome);
      if (decision === 'yes') {
        this.scheduleRetry();
        return;
      }
      if (decision === 'limit-exceeded') this.owner.addFlag('URX');
      else if (decision === 'overflow') this.owner.addFlag('UO');
    }
    this.owner.fail(reply);
  }

  private scheduleRetry(): void {
    this.owner.downstream.pause();
    this.backoff = setTimeout(() => {
      this.backoff = undefined;
      if (!this.ended && this.selectHost()) this.startAttempt();
    }, this.retry!.nextBackOffMs());
  }

  private hostOutcome(a: UpstreamRequest, ok: boolean): void {
    if (a.counted) return;
    a.counted = true;
    if (ok) a.host.stats.rq_success++;
    else a.host.stats.rq_error++;
  }
}
