// The sidecars behind a node: scrape state, live upstream clusters and configuration of the chosen
// replica (a node can stand for several workloads and replicas).
import { useId, useState } from 'react';
import type { SidecarStatus } from '../../../shared/api/sidecars.ts';
import { useSidecarClusters } from '../api/sidecar-detail-client.ts';
import { ConfigDumpView } from './ConfigDumpView.tsx';
import { SidecarClustersTable } from './SidecarClustersTable.tsx';

export function SidecarSection({ sidecars }: { sidecars: SidecarStatus[] }) {
  const [chosen, setChosen] = useState<string | undefined>();
  const selectId = useId();
  const sidecar = sidecars.find((s) => s.id === chosen) ?? sidecars[0];
  if (sidecar === undefined) return null;
  return (
    <section className="panel-section" aria-label="Sidecar">
      <h3>Sidecar</h3>
      {sidecars.length > 1 && (
        <p>
          <label htmlFor={selectId}>Replica</label>{' '}
          <select id={selectId} value={sidecar.id} onChange={(e) => setChosen(e.target.value)}>
            {sidecars.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id}
              </option>
            ))}
          </select>
        </p>
      )}
      <p className="muted">
        {sidecar.id} · {sidecar.kind} · {sidecar.adminUrl} ·{' '}
        <span className={sidecar.up ? 'badge-up' : 'badge-down'}>
          {sidecar.up ? 'scraped' : 'scrape failing'}
        </span>
      </p>
      {sidecar.lastError && (
        <p className="stale" role="note">
          Last scrape error: {sidecar.lastError}
        </p>
      )}
      <LiveClusters sidecarId={sidecar.id} />
      <ConfigDumpView key={sidecar.id} sidecarId={sidecar.id} />
    </section>
  );
}

function LiveClusters({ sidecarId }: { sidecarId: string }) {
  const q = useSidecarClusters(sidecarId);
  if (q.isPending) return <p className="muted">Asking the sidecar for its clusters…</p>;
  if (q.isError && !q.data) return <p role="alert">{q.error.message}</p>;
  return (
    <>
      {q.isError && <p className="stale">Showing the last answer: {q.error.message}</p>}
      <SidecarClustersTable clusters={q.data.clusters} />
    </>
  );
}
