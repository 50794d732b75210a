// Namespace multi-select: a disclosure with one checkbox per namespace (keyboard: Tab to the summary,
// Enter or Space to open, Tab through the boxes). None checked means every namespace.
import { useId } from 'react';

export interface NamespacePickerProps {
  available: readonly string[];
  selected: readonly string[];
  onChange: (namespaces: string[]) => void;
}

export function NamespacePicker({ available, selected, onChange }: NamespacePickerProps) {
  const id = useId();
  const all = [...new Set([...available, ...selected])].sort();
  const toggle = (ns: string, on: boolean) =>
    onChange(on ? [...selected, ns].sort() : selected.filter((s) => s !== ns));
  const summary =
    selected.length === 0
      ? 'all'
      : selected.length <= 2
        ? selected.join(', ')
        : `${selected.length} selected`;
  return (
    <details className="ns-picker">
      <summary aria-describedby={`${id}-hint`}>Namespaces: {summary}</summary>
      <fieldset>
        <legend>Namespaces</legend>
        <p id={`${id}-hint`} className="hint">
          None checked shows every namespace.
        </p>
        {all.length === 0 && <p className="hint">No namespaces seen yet.</p>}
        {all.map((ns) => (
          <label key={ns}>
            <input
              type="checkbox"
              name="namespace"
              value={ns}
              checked={selected.includes(ns)}
              onChange={(e) => toggle(ns, e.currentTarget.checked)}
            />
            {ns}
          </label>
        ))}
        {selected.length > 0 && (
          <button type="button" onClick={() => onChange([])}>
            Show all
          </button>
        )}
      </fieldset>
    </details>
  );
}
