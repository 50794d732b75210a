// Open-loop load for end-to-end tests: `rps` GETs a second on keep-alive connections, whatever the
// answers take, counted by status as they complete, so a test can compare what a dashboard reports
// with what was actually sent over the same window.
import http from 'node:http';

export interface PacedLoad {
  /** Completed requests per second in (from, to], epoch ms. */
  rateBetween(from: number, to: number): number;
  /** Completed requests so far, by status code (0 for a connection error). */
  readonly byStatus: ReadonlyMap<number, number>;
  /** Completed requests so far by the `x-backend` header their answer carried ('' for none). */
  readonly byBackend: ReadonlyMap<string, number>;
  stop(): void;
}

export function pacedLoad(url: string, rps: number): PacedLoad {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const completed: number[] = [];
  const byStatus = new Map<number, number>();
  const byBackend = new Map<string, number>();
  const started = Date.now();
  let sent = 0;
  const done = (status: number, backend: string) => {
    completed.push(Date.now());
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    byBackend.set(backend, (byBackend.get(backend) ?? 0) + 1);
  };
  const fire = () =>
    http
      .get(url, { agent }, (res) => {
        res.resume();
        const backend = res.headers['x-backend'];
        res.on('end', () => done(res.statusCode ?? 0, typeof backend === 'string' ? backend : ''));
      })
      .on('error', () => done(0, ''));
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * rps) / 1000);
    for (; sent < due; sent++) fire();
  }, 5);
  return {
    rateBetween: (from, to) => (completed.filter((t) => t > from && t <= to).length * 1000) / (to - from),
    byStatus,
    byBackend,
    stop: () => {
      clearInterval(timer);
      agent.destroy();
    },
  };
}
