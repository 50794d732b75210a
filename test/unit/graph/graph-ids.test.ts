import { describe, expect, it } from 'vitest';
import { edgeId, idPart, nodeId, routeId } from '../../../server/graph/graph-ids.ts';

describe('graph ids', () => {
  it('keeps Kubernetes and Envoy names readable', () => {
    expect(nodeId('workload', 'default', 'backend-v1')).toBe('workload:default:backend-v1');
    expect(nodeId('versionedApp', 'bookinfo', 'reviews', 'v2')).toBe('versionedApp:bookinfo:reviews:v2');
    expect(nodeId('unknown', 'default', 'backend_v1.x')).toBe('unknown:default:backend_v1.x');
  });

  it('escapes everything else so ids need no URL encoding and parts cannot run together', () => {
    const id = nodeId('unknown', 'default', 'outbound|9080||reviews:x/y~z é');
    expect(id).toBe('unknown:default:outbound~7C9080~7C~7Creviews~3Ax~2Fy~7Ez~20~C3~A9');
    expect(encodeURIComponent(id.replaceAll(':', ''))).toBe(id.replaceAll(':', ''));
    expect(idPart('a:b')).not.toBe(`${idPart('a')}:${idPart('b')}`);
    expect(edgeId('workload:a:b', 'workload:a:c')).toBe('workload:a:b,workload:a:c');
  });

  it('builds route ids from the route’s place in the configuration', () => {
    expect(routeId('default', 'frontend', 'listener_0', 'local_route', 'backend', 0)).toBe(
      'default/frontend/listener_0/local_route/backend/0',
    );
    expect(routeId('ns', 'wl', '0.0.0.0_15001', 'outbound/9080', 'reviews:9080', 3)).toBe(
      'ns/wl/0.0.0.0_15001/outbound~2F9080/reviews~3A9080/3',
    );
  });
});
