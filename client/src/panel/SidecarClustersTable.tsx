// A sidecar's upstream clusters, live from its /clusters: healthy hosts out of all, and each host with
// the health flags Envoy gives it (failed_outlier_check, failed_active_hc…).
import type { SidecarCluster } from '../../../shared/api/sidecar-detail.ts';

export function SidecarClustersTable({ clusters }: { clusters: SidecarCluster[] }) {
  if (clusters.length === 0) return <p className="muted">The sidecar reports no upstream clusters.</p>;
  return (
    <table className="data compact sidecar-clusters">
      <caption>Upstream clusters</caption>
      <thead>
        <tr>
          <th scope="col">Cluster</th>
          <th scope="col">Healthy</th>
          <th scope="col">Hosts</th>
        </tr>
      </thead>
      <tbody>
        {clusters.map((c) => (
          <tr key={c.name} data-cluster={c.name}>
            <th scope="row">{c.name}</th>
            <td className={c.healthyHosts < c.hosts.length ? 'badge-down' : 'badge-up'}>
              {c.healthyHosts}/{c.hosts.length}
            </td>
            <td>
              <ul className="hosts">
                {c.hosts.map((h) => (
                  <li key={`${h.address}:${h.port}`} className={h.healthy ? 'host-ok' : 'host-bad'}>
                    <span aria-hidden="true">{h.healthy ? '●' : '○'}</span> {h.address}
                    {h.port > 0 && `:${h.port}`} {h.healthy ? 'healthy' : 'unhealthy'}
                    {h.flags.length > 0 && <span className="muted"> ({h.flags.join(', ')})</span>}
                    {h.weight !== 1 && <span className="muted"> weight {h.weight}</span>}
                    {h.hostname !== undefined && h.hostname !== h.address && (
                      <div className="muted host-name">{h.hostname}</div>
                    )}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
