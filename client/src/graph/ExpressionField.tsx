// A find or hide box. What is typed is applied on Enter, on leaving the box, or after a short pause;
// a parse error is shown under the box (aria-invalid + aria-describedby) with its column.
import { useEffect, useId, useRef, useState } from 'react';

const SETTLE_MS = 600;

export interface ExpressionFieldProps {
  label: string;
  value: string;
  error: string | undefined;
  placeholder: string;
  onCommit: (text: string) => void;
}

export function ExpressionField({ label, value, error, placeholder, onCommit }: ExpressionFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  // The page re-renders on every live update; the pause timer must not restart with each of them.
  const commit = useRef(onCommit);
  useEffect(() => {
    commit.current = onCommit;
  });
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const t = setTimeout(() => commit.current(draft), SETTLE_MS);
    return () => clearTimeout(t);
  }, [draft, value]);
  return (
    <div className="expr-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        spellCheck={false}
        autoComplete="off"
        value={draft}
        placeholder={placeholder}
        aria-invalid={error !== undefined}
        aria-describedby={error !== undefined ? `${id}-error` : undefined}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onCommit(draft);
        }}
        onBlur={() => {
          if (draft !== value) onCommit(draft);
        }}
      />
      {error !== undefined && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
