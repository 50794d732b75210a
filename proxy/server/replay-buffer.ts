// The request body bytes already sent upstream, kept so a retry or a shadow can send them again. Envoy
// buffers a request for retries and shadowing up to the connection's buffer limit
// (`per_connection_buffer_limit_bytes`, default 1 MiB); past it the copy is dropped, retries and
// shadows are abandoned for that request, and the cluster counts `retry_or_shadow_abandoned`.

/** Envoy's default per_connection_buffer_limit_bytes. */
export const DEFAULT_REPLAY_LIMIT = 1024 * 1024;

export class ReplayBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private readonly limit: number;
  abandoned = false;

  constructor(limit = DEFAULT_REPLAY_LIMIT) {
    this.limit = limit;
  }

  /** Keeps a reference to `buf`; returns false when this piece made the body too big to keep. */
  append(buf: Buffer): boolean {
    if (this.abandoned) return false;
    this.bytes += buf.length;
    if (this.bytes > this.limit) {
      this.abandoned = true;
      this.chunks = [];
      return false;
    }
    this.chunks.push(buf);
    return true;
  }

  /** Everything sent so far, in order (empty once abandoned). */
  get contents(): readonly Buffer[] {
    return this.chunks;
  }
}
