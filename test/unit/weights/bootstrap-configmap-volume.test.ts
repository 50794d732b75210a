// Finding the ConfigMap key behind a sidecar's `-c` file from its pod spec, on the seed lab's pod
// (../shared/seeds/envoy-sidecar-lab.md: ConfigMap envoy-config mounted at /etc/envoy, `-c
// /etc/envoy/envoy.yaml`) and its variants.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  bootstrapConfigMapFor,
  configPathOf,
  type PodBootstrapSpec,
} from '../../../server/weights/bootstrap-configmap-volume.ts';
import { seedYamlBlocks } from '../../support/seed-blocks.ts';

function seedPod(): PodBootstrapSpec {
  const block = seedYamlBlocks('envoy-sidecar-lab.md').find((b) => /kind: Pod\b/.test(b.text))!;
  return parse(block.text) as PodBootstrapSpec;
}

describe('bootstrapConfigMapFor', () => {
  it('finds envoy-config / envoy.yaml in the seed lab’s pod', () => {
    expect(bootstrapConfigMapFor(seedPod(), 'envoy')).toEqual({
      ok: true,
      configMap: 'envoy-config',
      key: 'envoy.yaml',
      configPath: '/etc/envoy/envoy.yaml',
      subPath: false,
    });
  });

  it('reads -c and --config-path in every form, in command or args', () => {
    expect(configPathOf(['envoy', '-c', '/a.yaml'])).toBe('/a.yaml');
    expect(configPathOf(['--config-path=/b.yaml'])).toBe('/b.yaml');
    expect(configPathOf(['-c=/c.yaml'])).toBe('/c.yaml');
    expect(configPathOf(['--config-path', '/d.yaml', '-l', 'info'])).toBe('/d.yaml');
    expect(configPathOf(['envoy'])).toBeUndefined();
  });

  it('honours volume items and subPath mounts', () => {
    const pod = seedPod();
    const c = pod.spec!.containers!.find((x) => x.name === 'envoy')!;
    pod.spec!.volumes![0]!.configMap!.items = [{ key: 'bootstrap', path: 'envoy.yaml' }];
    expect(bootstrapConfigMapFor(pod, 'envoy')).toMatchObject({ ok: true, key: 'bootstrap' });
    pod.spec!.volumes![0]!.configMap!.items = undefined;
    c.volumeMounts = [{ name: 'envoy-config', mountPath: '/etc/envoy/envoy.yaml', subPath: 'main.yaml' }];
    expect(bootstrapConfigMapFor(pod, 'envoy')).toMatchObject({ ok: true, key: 'main.yaml', subPath: true });
  });

  it('says why when the file is not a ConfigMap key', () => {
    const pod = seedPod();
    expect(bootstrapConfigMapFor(pod, 'app')).toMatchObject({ ok: false, reason: /no -c/ });
    pod.spec!.volumes = [{ name: 'envoy-config' }];
    expect(bootstrapConfigMapFor(pod, 'envoy')).toMatchObject({ ok: false, reason: /not a ConfigMap/ });
  });
});
