// The kubeconfig's credentials as plain headers and TLS material, so the scraper can send its own
// requests through `pods/proxy`. client-node's generated `connectGetNamespacedPodProxyWithPath`
// URL-encodes the whole path, so `?usedonly&filter=…` would never reach the sidecar; instead we let
// `KubeConfig.applyToHTTPSOptions` fill in a request's options (bearer token, exec/OIDC plugins,
// client certificates, CA) and read them back.
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AdminEndpoint } from '../../model/inventory.ts';
import type { ApiServerAccess } from './admin-endpoint.ts';

function pem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(pem).filter(Boolean).join('\n');
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'string' ? value : undefined;
}

/** Reads the current context's server and credentials. Tokens from exec plugins expire: call again. */
export async function apiServerAccess(kc: KubeConfig): Promise<ApiServerAccess> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (opts.auth) headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;

  const access: ApiServerAccess = { server: cluster.server, headers };
  if (cluster.server.startsWith('https:')) {
    const tls: NonNullable<AdminEndpoint['tls']> = {};
    const ca = pem(opts.ca);
    const cert = pem(opts.cert);
    const key = pem(opts.key);
    if (ca) tls.ca = ca;
    if (cert) tls.cert = cert;
    if (key) tls.key = key;
    if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
    access.tls = tls;
  }
  return access;
}
