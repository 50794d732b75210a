// Starting a guarded shift: which cluster is the canary, how far to take it, how fast, and what it
// must keep to within (shared/api/guarded-shift.ts). Percentages are shown as people think of them
// and sent as the ratios the API takes.
import { useState } from 'react';
import type { GuardedShiftStartInput } from '../../../shared/api/guarded-shift.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import { ReasonField } from './ReasonField.tsx';

type P99Mode = 'relative' | 'absolute' | 'off';

export function GuardedShiftForm({
  route,
  busy,
  onStart,
}: {
  route: WeightedRoute;
  busy: boolean;
  onStart: (request: GuardedShiftStartInput) => void;
}) {
  // The canary by default: the cluster with the least weight now (the new version, usually).
  const lightest = [...route.clusters].sort((a, b) => a.effectiveWeight - b.effectiveWeight)[0]?.name ?? '';
  const [canary, setCanary] = useState(lightest);
  const [target, setTarget] = useState(100);
  const [step, setStep] = useState(10);
  const [interval, setIntervalSeconds] = useState(30);
  const [max503, setMax503] = useState(1);
  const [max5xx, setMax5xx] = useState(5);
  const [p99Mode, setP99Mode] = useState<P99Mode>('relative');
  const [p99Value, setP99Value] = useState(2);
  const [minRequests, setMinRequests] = useState(20);
  const [reason, setReason] = useState('');

  const submit = () => {
    const maxP99 =
      p99Mode === 'off'
        ? null
        : p99Mode === 'relative'
          ? { kind: 'relative' as const, factor: p99Value }
          : { kind: 'absolute' as const, ms: p99Value };
    onStart({
      canary,
      targetCanaryPercent: target,
      stepPercent: step,
      intervalSeconds: interval,
      thresholds: { max503Ratio: max503 / 100, max5xxRatio: max5xx / 100, maxP99, minRequests },
      ...(reason.trim() !== '' && { reason: reason.trim() }),
    });
  };

  const num = (set: (n: number) => void) => (e: React.ChangeEvent<HTMLInputElement>) =>
    set(Number(e.target.value));

  return (
    <form
      className="guarded-shift-form"
      aria-label="Start a guarded shift"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <fieldset disabled={busy}>
        <label>
          Canary{' '}
          <select value={canary} onChange={(e) => setCanary(e.target.value)}>
            {route.clusters.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} (now {c.effectiveWeight})
              </option>
            ))}
          </select>
        </label>
        <label>
          Target % <input type="number" min={1} max={100} value={target} onChange={num(setTarget)} />
        </label>
        <label>
          Step % <input type="number" min={1} max={100} value={step} onChange={num(setStep)} />
        </label>
        <label>
          Interval s{' '}
          <input type="number" min={1} max={86400} value={interval} onChange={num(setIntervalSeconds)} />
        </label>
      </fieldset>
      <fieldset disabled={busy}>
        <legend>Roll back when the canary, compared with the other clusters, has</legend>
        <label>
          503s above +%{' '}
          <input type="number" min={0} max={100} step="any" value={max503} onChange={num(setMax503)} />
        </label>
        <label>
          5xx above +%{' '}
          <input type="number" min={0} max={100} step="any" value={max5xx} onChange={num(setMax5xx)} />
        </label>
        <label>
          p99{' '}
          <select value={p99Mode} onChange={(e) => setP99Mode(e.target.value as P99Mode)}>
            <option value="relative">above × baseline</option>
            <option value="absolute">above ms</option>
            <option value="off">not checked</option>
          </select>
        </label>
        {p99Mode !== 'off' && (
          <input
            type="number"
            aria-label={p99Mode === 'relative' ? 'p99 factor' : 'p99 milliseconds'}
            min={1}
            step="any"
            value={p99Value}
            onChange={num(setP99Value)}
          />
        )}
        <label>
          after at least <input type="number" min={1} value={minRequests} onChange={num(setMinRequests)} />{' '}
          requests
        </label>
      </fieldset>
      <div className="weight-actions">
        <ReasonField value={reason} onChange={setReason} />
        <button type="submit" className="primary" disabled={busy || canary === ''}>
          {busy ? 'Starting…' : 'Start guarded shift'}
        </button>
      </div>
    </form>
  );
}
