// The pure parts of the Kubernetes audit and restart: the bounded history annotation, the Event, and
// the patch `kubectl rollout restart` sends.
import { describe, expect, it } from 'vitest';
import { eventFor } from '../../../server/sources/kubernetes/create-event.ts';
import { appendHistory, eventMessage } from '../../../server/weights/kubernetes-audit.ts';
import { restartedAtValue, restartPatch } from '../../../server/weights/workload-restart.ts';
import type { AuditEntry } from '../../../shared/api/weights.ts';

const entry = (n: number): AuditEntry => ({
  id: `a${String(n).padStart(3, '0')}`,
  at: 1_800_000_000_000 + n,
  who: 'token:ops',
  routeId: 'default/web/listener_0/local_route/backend/0',
  from: { v1: 80, v2: 20 },
  to: { v1: 50, v2: 50 },
  outcome: 'applied',
});

describe('appendHistory', () => {
  it('keeps the last N entries, oldest first', () => {
    let value: string | undefined;
    for (let i = 0; i < 25; i++) value = appendHistory(value, entry(i), 20);
    const list = JSON.parse(value!) as AuditEntry[];
    expect(list.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => entry(i + 5).id));
  });

  it('replaces an entry written twice (a retried patch) and starts over on a value it cannot read', () => {
    const once = appendHistory(undefined, entry(1), 20);
    expect(JSON.parse(appendHistory(once, entry(1), 20))).toHaveLength(1);
    expect(JSON.parse(appendHistory('not json', entry(2), 20))).toEqual([entry(2)]);
  });
});

describe('the Event', () => {
  it('says what changed, by whom, with the audit id', () => {
    expect(eventMessage({ ...entry(7), reason: 'canary' })).toBe(
      'route default/web/listener_0/local_route/backend/0: v1=80 v2=20 → v1=50 v2=50 by token:ops (canary): applied [a007]',
    );
    const ev = eventFor({
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' },
      reason: 'WeightsChanged',
      type: 'Normal',
      message: 'x'.repeat(2000),
      now: new Date(0),
    });
    expect(ev).toMatchObject({
      metadata: { namespace: 'default', name: expect.stringMatching(/^web\.[0-9a-f]+$/) },
      reason: 'WeightsChanged',
      source: { component: 'meshscope' },
      count: 1,
    });
    expect(ev.message).toHaveLength(1024);
  });
});

describe('rollout restart', () => {
  it('patches the pod template annotation kubectl uses, RFC 3339 in seconds', () => {
    const at = new Date('2026-11-22T04:17:06.789Z');
    expect(restartedAtValue(at)).toBe('2026-11-22T04:17:06Z');
    expect(restartPatch(at)).toEqual({
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T04:17:06Z' } },
        },
      },
    });
  });
});
