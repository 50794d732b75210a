// Delivery to an Alertmanager (`--alertmanager-url`): the firing and recently resolved alerts are
// POSTed whenever one changes, and re-sent every `resendMs` otherwise (Prometheus' resend delay is
// 1 m), so an Alertmanager that restarted or missed a POST catches up. A failed POST is logged and
// retried by the next send; evaluation never waits for it.
import type { Alert } from '../../shared/api/alerts.ts';
import { alertmanagerPayload } from './alertmanager-payload.ts';

export interface AlertmanagerClientOptions {
  /** Base URL; alerts go to `<url>/api/v2/alerts`. */
  url: string;
  /** Where a person sees the alert: the dashboard's Alerts page. */
  generatorUrl: (a: Alert) => string;
  resendMs?: number;
  timeoutMs?: number;
  log: (level: 'warning' | 'debug', msg: string) => void;
}

export class AlertmanagerClient {
  private readonly opts: AlertmanagerClientOptions;
  private readonly endpoint: string;
  private lastSent = 0;
  private inFlight = false;
  /** Whether the last POST failed, so the next evaluation retries even without a change. */
  private failed = false;

  constructor(opts: AlertmanagerClientOptions) {
    this.opts = opts;
    this.endpoint = new URL('api/v2/alerts', opts.url.endsWith('/') ? opts.url : `${opts.url}/`).toString();
  }

  /** After each evaluation: `changed` when any alert changed state. */
  async send(alerts: readonly Alert[], changed: boolean, now: number): Promise<void> {
    const resendMs = this.opts.resendMs ?? 60_000;
    if (this.inFlight || (!changed && !this.failed && now - this.lastSent < resendMs)) return;
    // Valid for a few resend periods: missed re-sends do not resolve an alert that still fires.
    const payload = alertmanagerPayload(alerts, now, this.opts.generatorUrl, 4 * resendMs);
    if (payload.length === 0 && !changed) return;
    this.inFlight = true;
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.lastSent = now;
      this.failed = false;
      this.opts.log('debug', `sent ${payload.length} alerts to ${this.endpoint}`);
    } catch (e) {
      this.failed = true;
      this.opts.log('warning', `POST ${this.endpoint}: ${(e as Error).message}`);
    } finally {
      this.inFlight = false;
    }
  }
}
