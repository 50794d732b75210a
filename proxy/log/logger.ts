// Envoy-style log lines on stderr: `[2026-01-02 03:04:05.678][pid][level][component] message`.
// Levels and their names follow Envoy's --log-level (trace, debug, info, warning, error, critical, off).

export const LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const;
export type LogLevel = (typeof LEVELS)[number];

export type Log = (level: LogLevel, component: string, message: string) => void;

export function parseLogLevel(s: string): LogLevel | undefined {
  const v = s === 'warn' ? 'warning' : s;
  return (LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : undefined;
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Log {
  const min = LEVELS.indexOf(level);
  return (lvl, component, message) => {
    if (LEVELS.indexOf(lvl) < min || lvl === 'off') return;
    write(`[${stamp(new Date())}][${process.pid}][${lvl}][${component}] ${message}\n`);
  };
}
