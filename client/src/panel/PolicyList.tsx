// The traffic policies of an edge or a node in words, each with its figures; rows whose policy is
// acting now (an open breaker, ejected hosts, injected faults, retries) are marked.
import type { Policies } from '../../../shared/api/policies.ts';
import { BADGE_GLYPHS } from '../graph/policy-decoration.ts';
import { policyRows } from './policy-format.ts';

export function PolicyList({
  policies,
  title = 'Policies',
}: {
  policies: Policies | undefined;
  title?: string;
}) {
  const rows = policyRows(policies);
  if (rows.length === 0) return null;
  const from = policies?.sources?.includes('istio') ? ' (Istio objects and sidecar configuration)' : '';
  return (
    <section className="panel-section" aria-label={title}>
      <h3>
        {title}
        {from && <span className="muted">{from}</span>}
      </h3>
      <dl className="kv policies">
        {rows.map((r) => {
          const glyph = (BADGE_GLYPHS as Record<string, string>)[r.key] ?? '';
          return (
            <div
              key={r.key}
              className={r.active ? 'kv-row policy active' : 'kv-row policy'}
              data-policy={r.key}
            >
              <dt>
                {glyph && <span aria-hidden="true">{glyph} </span>}
                {r.label}
              </dt>
              <dd>
                <span data-policy-config>{r.config}</span>
                {r.figures && (
                  <>
                    <br />
                    <span data-policy-figures className="policy-figures">
                      {r.figures}
                    </span>
                  </>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
