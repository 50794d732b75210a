// Istio's own telemetry (`istio_requests_total`, `istio_request_duration_milliseconds`) as edges.
// Each request is reported twice: by the caller's sidecar (`reporter="source"`) and by the callee's
// (`reporter="destination"`). Like Kiali, the source report is used whenever the caller has a sidecar;
// a destination report is used only for callers without one (a gateway-less client, an unmeshed job,
// or `source_workload="unknown"`, which becomes the callee's inbound node), and never for a pair the
// source already reported, so no request counts twice.
import type { WorkloadInfo } from '../model/inventory.ts';
import type { IstioDestinationKey, TrafficSource } from '../model/traffic-source.ts';
import type { EdgeBook } from './edge-book.ts';
import { type MeshEntity, workloadEntity } from './mesh-entity.ts';
import type { MeshIndex } from './mesh-index.ts';

/** Istio writes "unknown" (or nothing) for labels it could not determine. */
function known(value: string): string | undefined {
  return value === '' || value === 'unknown' ? undefined : value;
}

function pairKey(sourceNamespace: string, source: string, target: MeshEntity): string {
  const t = target.kind === 'workload' ? `${target.workload.namespace}/${target.workload.name}` : '';
  return `${sourceNamespace}/${source}>${t}`;
}

export class IstioEdges {
  private readonly index: MeshIndex;
  private readonly book: EdgeBook;
  private readonly reportedBySource = new Set<string>();

  constructor(index: MeshIndex, book: EdgeBook) {
    this.index = index;
    this.book = book;
  }

  /** A sidecar's `reporter="source"` series: its outbound edges. */
  addSourceReports(caller: WorkloadInfo, entries: ReturnType<TrafficSource['istioTraffic']>): void {
    const source = workloadEntity(caller);
    for (const { key, traffic } of entries) {
      if (key.reporter !== 'source' || !(traffic.rps > 0)) continue;
      const target = this.destination(caller, key);
      this.book.add(source, target, traffic, 1, key.destinationService || undefined);
      this.reportedBySource.add(pairKey(caller.namespace, caller.name, target));
    }
  }

  /** A sidecar's `reporter="destination"` series, for callers that report nothing themselves. Call after every source report. */
  addDestinationReports(callee: WorkloadInfo, entries: ReturnType<TrafficSource['istioTraffic']>): void {
    for (const { key, traffic } of entries) {
      if (key.reporter !== 'destination' || !(traffic.rps > 0)) continue;
      const target = workloadEntity(callee, this.index.serviceByDnsName(key.destinationService));
      const sourceName = known(key.sourceWorkload);
      const sourceNamespace = known(key.sourceNamespace) ?? callee.namespace;
      let source: MeshEntity;
      if (sourceName === undefined) {
        source = { kind: 'inbound', workload: callee };
      } else {
        if (this.index.hasSidecar(sourceNamespace, sourceName)) continue;
        if (this.reportedBySource.has(pairKey(sourceNamespace, sourceName, target))) continue;
        source = workloadEntity(
          this.index.ensureWorkload(sourceNamespace, sourceName, undefined, undefined, false),
        );
      }
      this.book.add(source, target, traffic, 1, key.destinationService || undefined);
    }
  }

  private destination(caller: WorkloadInfo, key: IstioDestinationKey): MeshEntity {
    const via = this.index.serviceByDnsName(key.destinationService);
    const name = known(key.destinationWorkload);
    if (name !== undefined) {
      const namespace = known(key.destinationNamespace) ?? via?.namespace ?? caller.namespace;
      const w = this.index.ensureWorkload(
        namespace,
        name,
        known(key.destinationApp),
        known(key.destinationVersion),
        false,
      );
      return workloadEntity(w, via);
    }
    // No workload: the request never reached one (Envoy's own 503: UH, UF, UO, NR).
    if (via !== undefined) return { kind: 'service', service: via };
    return { kind: 'unknown', namespace: caller.namespace, name: key.destinationService || 'unknown' };
  }
}
