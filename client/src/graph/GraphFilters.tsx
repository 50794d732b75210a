// The find and hide boxes (find-hide.ts's expression language): find highlights what matches, hide
// takes it out of view without removing it, so positions stay.
import { ExpressionField } from './ExpressionField.tsx';
import type { GraphUrlState } from './url-state.ts';

export interface GraphFiltersProps {
  find: string;
  hide: string;
  update: (patch: Partial<GraphUrlState>) => void;
  findError: string | undefined;
  hideError: string | undefined;
}

export function GraphFilters({ find, hide, update, findError, hideError }: GraphFiltersProps) {
  return (
    <div className="graph-filters">
      <ExpressionField
        label="Find"
        value={find}
        error={findError}
        placeholder="rps > 5 and version = v2"
        onCommit={(text) => update({ find: text })}
      />
      <ExpressionField
        label="Hide"
        value={hide}
        error={hideError}
        placeholder="namespace = kube-system or rps < 0.1"
        onCommit={(text) => update({ hide: text })}
      />
    </div>
  );
}
