import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { apiServerAccess } from '../../../../server/sources/kubernetes/api-server-access.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeConfig(cluster: Record<string, unknown>, user: Record<string, unknown>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(
    YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return kc;
}

describe('apiServerAccess', () => {
  it('a bearer token, a private CA and a client certificate (https)', async () => {
    const kc = kubeConfig(
      { server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA-PEM') },
      { token: 'abc.def', 'client-certificate-data': b64('CERT-PEM'), 'client-key-data': b64('KEY-PEM') },
    );
    expect(await apiServerAccess(kc)).toEqual({
      server: 'https://10.0.0.1:6443',
      headers: { Authorization: 'Bearer abc.def' },
      tls: { ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM' },
    });
  });

  it('basic auth becomes an Authorization header; insecure-skip-tls-verify turns verification off', async () => {
    const kc = kubeConfig(
      { server: 'https://k8s.example', 'insecure-skip-tls-verify': true },
      { username: 'admin', password: 'pw' },
    );
    expect(await apiServerAccess(kc)).toEqual({
      server: 'https://k8s.example',
      headers: { Authorization: `Basic ${b64('admin:pw')}` },
      tls: { rejectUnauthorized: false },
    });
  });

  it('plain http carries no TLS material', async () => {
    const kc = kubeConfig(
      { server: 'http://127.0.0.1:8001', 'insecure-skip-tls-verify': true },
      { token: 't' },
    );
    expect(await apiServerAccess(kc)).toEqual({
      server: 'http://127.0.0.1:8001',
      headers: { Authorization: 'Bearer t' },
    });
  });
});
