// A guarded shift as it goes: its state, step k of n, the weights it has applied, the last decision
// with the figures that drove it, why it stopped, and Pause / Resume / Abort while it is active.
import type { GuardedShift, StepFigures } from '../../../shared/api/guarded-shift.ts';

const STATE_LABEL: Record<GuardedShift['state'], string> = {
  running: 'Running',
  paused: 'Paused',
  promoted: 'Promoted',
  rolled_back: 'Rolled back',
  aborted: 'Aborted',
  interrupted: 'Interrupted',
};

const weightsText = (w: Record<string, number>) =>
  Object.keys(w)
    .sort()
    .map((k) => `${k} ${w[k]}`)
    .join(' · ');

function figures(f: StepFigures): string {
  const ratio = (n: number) => (f.requests > 0 ? `${((n / f.requests) * 100).toFixed(1)} %` : '–');
  const p99 = f.p99Ms === null ? '–' : `${f.p99Ms.toFixed(1)} ms`;
  return `${f.requests} req · 503 ${ratio(f.errors503)} · 5xx ${ratio(f.errors5xx)} · p99 ${p99}`;
}

export function GuardedShiftProgress({
  shift,
  busy,
  onAction,
}: {
  shift: GuardedShift;
  busy: boolean;
  onAction: (action: 'pause' | 'resume' | 'abort') => void;
}) {
  const active = shift.state === 'running' || shift.state === 'paused';
  const d = shift.lastDecision;
  return (
    <section className={`guarded-shift-progress shift-${shift.state}`} aria-label="Guarded shift progress">
      <p>
        <strong className="shift-state">{STATE_LABEL[shift.state]}</strong>{' '}
        <span className="shift-step">
          step {shift.currentStep}/{shift.steps.length}
        </span>{' '}
        · canary {shift.canary} · every {shift.intervalSeconds} s
      </p>
      <p className="shift-weights">Weights now: {weightsText(shift.currentWeights)}</p>
      <p className="muted">
        From {weightsText(shift.startWeights)} to {weightsText(shift.targetWeights)}
      </p>
      {d && (
        <div className="shift-decision">
          <p>
            Last decision: <strong>{d.action}</strong> on step {d.step} after {d.elapsedSeconds.toFixed(0)} s
            — {d.why}
          </p>
          <p className="muted">
            canary: {figures(d.canary)}
            <br />
            baseline: {figures(d.baseline)}
          </p>
        </div>
      )}
      {shift.stoppedWhy && (
        <p className={shift.state === 'interrupted' ? 'apply-error' : 'notice'} role="status">
          {shift.stoppedWhy}
        </p>
      )}
      {active && (
        <div className="weight-actions">
          {shift.state === 'running' ? (
            <button type="button" disabled={busy} onClick={() => onAction('pause')}>
              Pause
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => onAction('resume')}>
              Resume
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => onAction('abort')}>
            Abort (roll back)
          </button>
          <span className="muted">Changing weights by hand stops the shift.</span>
        </div>
      )}
    </section>
  );
}
