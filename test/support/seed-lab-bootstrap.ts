// The seed lab's sidecar bootstrap (../shared/seeds/envoy-sidecar-lab.md, Lab 4: ConfigMap
// envoy-config, an 80/20 weighted route without runtime_key_prefix) made runnable on loopback: the
// listener and admin on 127.0.0.1 free ports, the two backends as STATIC endpoints, and a comment a
// user would keep in it. Everything else is the user's text, byte for byte.
import { freePort } from './processes.ts';
import { seedBootstraps } from './seed-blocks.ts';

export async function seedLabBootstrap(backends: { v1: number; v2: number }): Promise<string> {
  const seed = seedBootstraps('envoy-sidecar-lab.md')[0]!.text;
  const listener = await freePort();
  const admin = await freePort();
  return `# Lab 4 sidecar: 80/20 canary\n${seed}`
    .replace('weight: 80\n', 'weight: 80   # stable\n')
    .replace(
      'address: 0.0.0.0\n        port_value: 10000',
      `address: 127.0.0.1\n        port_value: ${listener}`,
    )
    .replace('address: 0.0.0.0\n      port_value: 9901', `address: 127.0.0.1\n      port_value: ${admin}`)
    .replaceAll('type: STRICT_DNS', 'type: STATIC')
    .replace(
      /address: backend-v1\.default\.svc\.cluster\.local\n(\s+)port_value: 80/,
      `address: 127.0.0.1\n$1port_value: ${backends.v1}`,
    )
    .replace(
      /address: backend-v2\.default\.svc\.cluster\.local\n(\s+)port_value: 80/,
      `address: 127.0.0.1\n$1port_value: ${backends.v2}`,
    );
}

/** A runtime admin layer, appended: what a route converted to runtime weights needs to be set live. */
export const ADMIN_LAYER = 'layered_runtime:\n  layers:\n  - name: admin\n    admin_layer: {}\n';
