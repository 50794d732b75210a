// The optional reason of a change (a weight change, a guarded shift): kept in its audit entry, at most
// 500 characters as the API's schemas take it (shared/api/weights.ts, shared/api/guarded-shift.ts).
export function ReasonField({ value, onChange }: { value: string; onChange: (reason: string) => void }) {
  return (
    <label>
      Reason{' '}
      <input
        type="text"
        maxLength={500}
        value={value}
        placeholder="optional, kept in the audit log"
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
