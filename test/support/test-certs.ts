// Throwaway PKI for TLS tests, made with the system `openssl` in a temporary directory at test time
// (never committed): a CA, a server certificate for 127.0.0.1 / a DNS name, a client certificate the CA
// signed, and a client certificate from an unrelated CA. EC P-256 keys keep generation fast.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  caFile: string;
  ca: string;
  /** The unrelated CA (it signed strangerClient). */
  otherCaFile: string;
  server: CertPair;
  client: CertPair;
  /** Signed by another CA, so the proxy's trusted_ca must refuse it. */
  strangerClient: CertPair;
  remove(): void;
}

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function selfSignedCa(dir: string, name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  ]);
  return { certFile, keyFile };
}

function signed(
  dir: string,
  name: string,
  ca: { certFile: string; keyFile: string },
  extensions: string,
): CertPair {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(['req', '-new', ...EC, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '1',
    '-extfile',
    ext,
  ]);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** Makes the PKI; `serverName` goes into the server certificate's SANs next to IP 127.0.0.1. */
export function makeTestPki(serverName = 'backend.mesh.local'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'meshscope-pki-'));
  const ca = selfSignedCa(dir, 'mesh-ca');
  const other = selfSignedCa(dir, 'other-ca');
  const server = signed(
    dir,
    'server',
    ca,
    `subjectAltName=DNS:${serverName},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`,
  );
  const client = signed(
    dir,
    'client',
    ca,
    'subjectAltName=URI:spiffe://mesh.local/ns/default/sa/frontend\nextendedKeyUsage=clientAuth\n',
  );
  const strangerClient = signed(dir, 'stranger', other, 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: ca.certFile,
    ca: readFileSync(ca.certFile, 'utf8'),
    otherCaFile: other.certFile,
    server,
    client,
    strangerClient,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
