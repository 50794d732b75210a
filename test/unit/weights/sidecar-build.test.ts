// Telling a sidecar that reloads its bootstrap (meshscope-proxy) from one that needs a restart
// (Envoy), from /server_info alone.
import { describe, expect, it } from 'vitest';
import { sidecarBuildFromServerInfo } from '../../../server/weights/sidecar-build.ts';

describe('sidecarBuildFromServerInfo', () => {
  it('reads Envoy’s build string and config_path: no live reload', () => {
    const envoy = {
      version: '6b9db09c69965d5bfb37bdd29693f8b7f9e9e9ec/1.28.0/Clean/RELEASE/BoringSSL',
      state: 'LIVE',
      command_line_options: { config_path: '/etc/envoy/envoy.yaml', mode: 'Serve', restart_epoch: 0 },
    };
    expect(sidecarBuildFromServerInfo(envoy)).toEqual({
      product: 'envoy',
      version: envoy.version,
      hotReload: false,
      configPath: '/etc/envoy/envoy.yaml',
    });
  });

  it('reads meshscope-proxy’s command line: it reloads unless started with --no-watch', () => {
    const info = (watch: boolean) => ({
      version: '1.0.0',
      command_line_options: { mode: 'serve', watch, configPath: '/tmp/p/envoy.yaml' },
    });
    expect(sidecarBuildFromServerInfo(info(true))).toMatchObject({
      product: 'meshscope-proxy',
      hotReload: true,
      configPath: '/tmp/p/envoy.yaml',
    });
    expect(sidecarBuildFromServerInfo(info(false))).toMatchObject({ hotReload: false });
  });

  it('assumes nothing of an unknown answer', () => {
    expect(sidecarBuildFromServerInfo('nope')).toEqual({
      product: 'unknown',
      version: '',
      hotReload: false,
      configPath: undefined,
    });
  });
});
