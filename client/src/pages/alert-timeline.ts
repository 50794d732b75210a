// The alerts timeline: per alert, its pending and firing intervals within the span shown, from the
// history's transitions (newest first, as the API lists them). An interval still open at the end of the
// history runs to `now`.
import type { AlertHistoryEntry, AlertLabels } from '../../../shared/api/alerts.ts';

export interface TimelineSegment {
  state: 'pending' | 'firing';
  from: number;
  to: number;
}

export interface TimelineLane {
  alertId: string;
  labels: AlertLabels;
  summary: string;
  segments: TimelineSegment[];
}

export function timelineLanes(
  entries: readonly AlertHistoryEntry[],
  now: number,
  spanMs: number,
): TimelineLane[] {
  const start = now - spanMs;
  const lanes = new Map<string, TimelineLane & { open?: { state: 'pending' | 'firing'; from: number } }>();
  const ordered = [...entries].sort((a, b) => a.at - b.at);
  for (const e of ordered) {
    let lane = lanes.get(e.alertId);
    if (lane === undefined) {
      lane = { alertId: e.alertId, labels: e.labels, summary: e.annotations.summary, segments: [] };
      lanes.set(e.alertId, lane);
    }
    lane.labels = e.labels;
    lane.summary = e.annotations.summary;
    if (lane.open !== undefined)
      lane.segments.push({ state: lane.open.state, from: lane.open.from, to: e.at });
    lane.open = e.to === 'resolved' ? undefined : { state: e.to, from: e.at };
  }
  const out: TimelineLane[] = [];
  for (const lane of lanes.values()) {
    if (lane.open !== undefined)
      lane.segments.push({ state: lane.open.state, from: lane.open.from, to: now });
    const segments = lane.segments
      .filter((s) => s.to > start)
      .map((s) => ({ ...s, from: Math.max(s.from, start) }));
    if (segments.length > 0)
      out.push({ alertId: lane.alertId, labels: lane.labels, summary: lane.summary, segments });
  }
  // Most recent activity first.
  return out.sort(
    (a, b) => b.segments.at(-1)!.to - a.segments.at(-1)!.to || (a.alertId < b.alertId ? -1 : 1),
  );
}
