// The image's HEALTHCHECK command, run as Docker would run its exec form (no Docker engine here): it
// exits 0 when the URL answers 2xx, and 1 when it answers an error or nobody listens.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/k8s-manifests.ts';

/** The HEALTHCHECK's exec-form argv, as JSON in the Dockerfile. */
function healthcheckArgv(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const m = /^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$/m.exec(text);
  if (!m) throw new Error('no HEALTHCHECK … CMD [exec form] in the Dockerfile');
  return JSON.parse(m[1]!) as string[];
}

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function run(url: string): Promise<number> {
  const [cmd, ...args] = healthcheckArgv();
  expect(cmd).toBe('node');
  return new Promise((resolve) => {
    // `node` as the image's PATH finds it: here, the runtime running this test.
    execFile(process.execPath, args, { env: { MESHSCOPE_HEALTHCHECK_URL: url }, timeout: 10_000 }, (err) =>
      resolve(err ? (typeof err.code === 'number' ? err.code : -1) : 0),
    );
  });
}

it('exits 0 on a 2xx, 1 on an error status and 1 when nothing listens', async () => {
  expect(await run(`${base}/healthz`)).toBe(0);
  expect(await run(`${base}/ready`)).toBe(1);
  expect(await run('http://127.0.0.1:1/healthz')).toBe(1);
});
