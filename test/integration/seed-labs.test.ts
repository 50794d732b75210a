// The users' labs, run on the real proxy with their Envoy YAML byte for byte as the seed documents
// give it. Their STRICT_DNS / LOGICAL_DNS names are pointed at loopback addresses with the proxy's
// --hosts-file option, and real backends listen there on the ports the labs use (80, 443).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../server/metrics/prom-text-parser.ts';
import { startProxy, stopAll } from '../support/processes.ts';
import { seedBootstraps } from '../support/seed-blocks.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshscope-seeds-'));
const servers: (http.Server | https.Server)[] = [];

function listen(server: http.Server | https.Server, host: string, port: number): Promise<number> {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A backend that says who it is, like the lab's nginx (v1) and httpd (v2) pods. */
function backend(name: string): http.Server {
  return http.createServer((req, res) => {
    res.setHeader('x-backend', name);
    res.end(`${name} ${req.headers.host}\n`);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function get(
  port: number,
  path = '/',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

async function tally(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  // 8 at a time: enough to exercise pooling, small enough to stay quick on 2 cores.
  for (let i = 0; i < n; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, n - i) }, () => get(port)));
    for (const r of batch) {
      const k = `${r.status} ${r.headers['x-backend'] ?? '-'}`;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  return counts;
}

function counterValue(text: string, name: string, labels: Record<string, string>): number {
  const parsed = parsePrometheusText(text);
  const hit = parsed.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hit ? hit.value : 0;
}

afterAll(async () => {
  await stopAll();
  agent.destroy();
  for (const s of servers) s.close();
});

describe('envoy-sidecar-lab.md: Envoy as a sidecar with 80/20 weighted clusters', () => {
  const lab = seedBootstraps('envoy-sidecar-lab.md')[0]!;
  const hostsFile = join(dir, 'hosts');
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    // kube-dns answers for the two Services; here the hosts file does, with loopback addresses.
    writeFileSync(
      hostsFile,
      '127.0.0.2 backend-v1.default.svc.cluster.local\n127.0.0.3 backend-v2.default.svc.cluster.local\n',
    );
    await listen(backend('v1'), '127.0.0.2', 80);
    await listen(backend('v2'), '127.0.0.3', 80);
    proxy = await startProxy(lab.text, { hostsFile });
  });

  it('loads the ConfigMap envoy.yaml unchanged and listens where the lab says (10000, admin 9901)', async () => {
    expect(readFileSync(proxy.configPath, 'utf8')).toBe(lab.text);
    expect(proxy.listenerPort).toBe(10000);
    const ready = await proxy.admin('/ready');
    expect(ready).toEqual({ status: 200, body: 'LIVE\n' });
  });

  it('splits 80/20 within binomial bounds over 1,000 requests (800 ± 40)', async () => {
    const counts = await tally(10000, 1000);
    expect((counts['200 v1'] ?? 0) + (counts['200 v2'] ?? 0)).toBe(1000);
    expect(Math.abs((counts['200 v1'] ?? 0) - 800)).toBeLessThanOrEqual(40);
    // Envoy's own counters agree with what the clients saw.
    const { body } = await proxy.admin('/stats/prometheus');
    expect(counterValue(body, 'envoy_cluster_upstream_rq_total', { envoy_cluster_name: 'backend_v1' })).toBe(
      counts['200 v1'],
    );
    expect(
      counterValue(body, 'envoy_cluster_upstream_rq', {
        envoy_cluster_name: 'backend_v2',
        envoy_response_code: '200',
      }),
    ).toBe(counts['200 v2']);
    expect(counterValue(body, 'envoy_cluster_membership_healthy', { envoy_cluster_name: 'backend_v1' })).toBe(
      1,
    );
    expect(
      counterValue(body, 'envoy_http_downstream_rq_xx', {
        envoy_http_conn_manager_prefix: 'ingress_http',
        envoy_response_code_class: '2',
      }),
    ).toBe(1000);
  });

  it('shows the DNS-resolved hosts in /clusters, text and JSON', async () => {
    const text = (await proxy.admin('/clusters')).body;
    expect(text).toContain('backend_v1::127.0.0.2:80::hostname::backend-v1.default.svc.cluster.local');
    expect(text).toContain('backend_v2::127.0.0.3:80::health_flags::healthy');
    const json = JSON.parse((await proxy.admin('/clusters?format=json')).body);
    const v2 = json.cluster_statuses.find((c: { name: string }) => c.name === 'backend_v2');
    expect(v2.host_statuses[0].address.socket_address).toEqual({ address: '127.0.0.3', port_value: 80 });
  });

  it("applies the lab's 50/50 edit of the file live, with no restart", async () => {
    const pid = proxy.pid;
    proxy.writeConfig(lab.text.replace('weight: 80', 'weight: 50').replace('weight: 20', 'weight: 50'));
    const deadline = Date.now() + 5000;
    let dump = '';
    while (Date.now() < deadline) {
      dump = (await proxy.admin('/config_dump?resource=static_listeners')).body;
      if (!dump.includes('"weight": 80')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(dump).not.toContain('"weight": 80');
    const counts = await tally(10000, 1000);
    expect(Math.abs((counts['200 v1'] ?? 0) - 500)).toBeLessThanOrEqual(50);
    expect(proxy.pid).toBe(pid);
    expect(proxy.proc.exitCode).toBeNull();
  });

  it('keeps serving the old configuration when the new file is broken', async () => {
    proxy.writeConfig(`${lab.text}\n  bogus: [\n`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(proxy.stderr).toMatch(/configuration change rejected/);
    const r = await get(10000);
    expect(r.status).toBe(200);
  });

  it('exits cleanly on SIGTERM', async () => {
    expect(await proxy.stop('SIGTERM')).toBe(0);
  });
});

describe('envoy-sidecar-basics.md: LOGICAL_DNS upstream over TLS with host_rewrite_literal', () => {
  const demo = seedBootstraps('envoy-sidecar-basics.md')[0]!;

  it('proxies to the TLS upstream the demo names, with the rewritten Host and SNI', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=www.google.com',
      ],
      { stdio: 'ignore' },
    );
    let seenSni = '';
    const tlsServer = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      res.setHeader('x-backend', 'tls');
      res.end(`host=${req.headers.host}`);
    });
    tlsServer.on('secureConnection', (s) => {
      seenSni = (s as unknown as { servername: string }).servername;
    });
    await listen(tlsServer, '127.0.0.4', 443);
    const hostsFile = join(dir, 'hosts-basics');
    writeFileSync(hostsFile, '127.0.0.4 www.google.com\n');
    const proxy = await startProxy(demo.text, { hostsFile });
    const r = await get(10000);
    expect(r.status).toBe(200);
    expect(r.body).toBe('host=www.google.com');
    expect(seenSni).toBe('www.google.com');
    expect(await proxy.stop()).toBe(0);
  });
});
