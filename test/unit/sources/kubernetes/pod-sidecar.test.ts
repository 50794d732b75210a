import { describe, expect, it } from 'vitest';
import { podSidecar } from '../../../../server/sources/kubernetes/pod-sidecar.ts';
import { istioContainers, istioPrometheusAnnotations, pod } from './pod-fixtures.ts';

const app = { name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] };

describe('podSidecar', () => {
  it('finds no sidecar in a plain pod', () => {
    expect(podSidecar(pod('plain'))).toBeUndefined();
  });

  it('an envoy container: the admin named port, else 9901', () => {
    const named = pod('p', {
      containers: [
        app,
        { name: 'envoy', image: 'envoyproxy/envoy:v1.31', ports: [{ name: 'admin', containerPort: 19000 }] },
      ],
    });
    expect(podSidecar(named)).toEqual({ kind: 'envoy', port: 19000, statsPath: '/stats/prometheus' });
    const bare = pod('p', { containers: [app, { name: 'envoy', image: 'envoyproxy/envoy:v1.31' }] });
    expect(podSidecar(bare)).toEqual({ kind: 'envoy', port: 9901, statsPath: '/stats/prometheus' });
  });

  it('a meshscope-proxy container, as in k8s/overlays/demo: its kind and the annotated admin port', () => {
    const p = pod('frontend', {
      annotations: { 'meshscope.io/admin-port': '9902' },
      containers: [
        app,
        {
          name: 'meshscope-proxy',
          image: 'meshscope:latest',
          ports: [{ name: 'admin', containerPort: 9901 }],
        },
      ],
    });
    expect(podSidecar(p)).toEqual({ kind: 'meshscope-proxy', port: 9902, statsPath: '/stats/prometheus' });
  });

  it('istio-proxy with Istio’s prometheus annotations: the merged endpoint on :15020', () => {
    const p = pod('reviews', { containers: istioContainers, annotations: istioPrometheusAnnotations });
    expect(podSidecar(p)).toEqual({ kind: 'istio-proxy', port: 15020, statsPath: '/stats/prometheus' });
  });

  it('istio-proxy without annotations: Envoy’s own Prometheus listener on :15090 (15000 is localhost-only)', () => {
    const p = pod('reviews', { containers: istioContainers });
    expect(podSidecar(p)).toEqual({ kind: 'istio-proxy', port: 15090, statsPath: '/stats/prometheus' });
  });

  it('istio-proxy as a native sidecar (an init container with restartPolicy Always)', () => {
    const proxy = { ...istioContainers[1]!, restartPolicy: 'Always' };
    const p = pod('reviews', { containers: [istioContainers[0]!], initContainers: [proxy] });
    expect(podSidecar(p)?.kind).toBe('istio-proxy');
    const plainInit = pod('reviews', {
      containers: [istioContainers[0]!],
      initContainers: [{ ...proxy, restartPolicy: undefined }],
    });
    expect(podSidecar(plainInit)).toBeUndefined();
  });

  it('an annotation alone marks a sidecar (kind envoy)', () => {
    expect(podSidecar(pod('p', { annotations: { 'meshscope.io/admin-port': '15001' } }))).toEqual({
      kind: 'envoy',
      port: 15001,
      statsPath: '/stats/prometheus',
    });
    const scraped = pod('p', {
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
    });
    expect(podSidecar(scraped)).toEqual({ kind: 'envoy', port: 9102, statsPath: '/metrics' });
  });

  it('ignores prometheus.io annotations that describe the app beside an envoy container', () => {
    const p = pod('p', {
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/metrics',
      },
      containers: [app, { name: 'envoy', image: 'envoyproxy/envoy:v1.31' }],
    });
    expect(podSidecar(p)).toEqual({ kind: 'envoy', port: 9901, statsPath: '/stats/prometheus' });
    const envoyStats = pod('p', {
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9000',
        'prometheus.io/path': '/stats/prometheus',
      },
      containers: [app, { name: 'envoy', image: 'envoyproxy/envoy:v1.31' }],
    });
    expect(podSidecar(envoyStats)?.port).toBe(9000);
  });

  it('ignores a malformed admin-port annotation', () => {
    const p = pod('p', {
      annotations: { 'meshscope.io/admin-port': 'admin' },
      containers: [app, { name: 'envoy' }],
    });
    expect(podSidecar(p)?.port).toBe(9901);
    expect(podSidecar(pod('q', { annotations: { 'meshscope.io/admin-port': '70000' } }))).toBeUndefined();
  });
});
