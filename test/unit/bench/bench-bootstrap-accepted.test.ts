import { describe, expect, it } from 'vitest';
import { renderBenchBootstrap } from '../../../bench/proxy/envoy-bootstrap.ts';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';

// The benchmark must measure the proxy under a configuration it really accepts, read the way the user
// configures it: the generated bootstrap goes through the proxy's own loader.
describe('the benchmark bootstrap, read by the proxy config loader', () => {
  const clusters = [
    { name: 'primary', port: 9001, weight: 80 },
    { name: 'canary', port: 9002, weight: 20 },
  ];

  it('yields one listener with an 80/20 weighted route over two STATIC clusters and an admin port', () => {
    const bootstrap = parseBootstrap(renderBenchBootstrap({ listenPort: 8000, adminPort: 8001, clusters }));
    expect(bootstrap.admin?.address).toEqual({ address: '127.0.0.1', port: 8001 });
    expect(bootstrap.listeners).toHaveLength(1);
    const [listener] = bootstrap.listeners;
    expect(listener?.address).toEqual({ address: '127.0.0.1', port: 8000 });
    expect(listener?.hcm.accessLogs).toEqual([]);
    const action = listener?.hcm.routeConfig.virtualHosts[0]?.routes[0]?.action;
    expect(action?.kind).toBe('route');
    expect(action?.kind === 'route' ? action.weightedClusters?.clusters : undefined).toEqual([
      { name: 'primary', weight: 80 },
      { name: 'canary', weight: 20 },
    ]);
    expect(bootstrap.clusters.map((c) => [c.name, c.type, c.endpoints.map((e) => e.port)])).toEqual([
      ['primary', 'STATIC', [9001]],
      ['canary', 'STATIC', [9002]],
    ]);
  });

  it('with policies: circuit breakers on both clusters and a retry policy on the route', () => {
    const bootstrap = parseBootstrap(
      renderBenchBootstrap({ listenPort: 8000, adminPort: 8001, clusters, policies: true }),
    );
    const action = bootstrap.listeners[0]?.hcm.routeConfig.virtualHosts[0]?.routes[0]?.action;
    expect(action?.kind === 'route' ? action.retryPolicy : undefined).toEqual({
      retryOn: ['5xx'],
      numRetries: 2,
    });
    for (const c of bootstrap.clusters) {
      expect(c.circuitBreakers?.thresholds).toEqual([
        {
          priority: 'DEFAULT',
          maxConnections: 1000,
          maxPendingRequests: 1000,
          maxRequests: 1000,
          maxRetries: 3,
        },
      ]);
    }
  });

  it('logs to the file when the access log is on', () => {
    const bootstrap = parseBootstrap(
      renderBenchBootstrap({
        listenPort: 8000,
        adminPort: 8001,
        clusters,
        accessLogPath: '/tmp/bench/access.log',
      }),
    );
    expect(bootstrap.listeners[0]?.hcm.accessLogs).toEqual([
      expect.objectContaining({ sink: 'file', path: '/tmp/bench/access.log' }),
    ]);
  });
});
