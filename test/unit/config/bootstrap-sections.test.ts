// Admin, node, layered runtime and the HTTP connection manager's own settings.

import { describe, expect, it } from 'vitest';
import { type Doc, HCM_PATH, hcmOf, load, loadError, minimalDoc } from './bootstrap-fixture.ts';

const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';
const STDERR = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog';
const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';

describe('layered runtime', () => {
  it('converts static, disk and admin layers in order, keeping static values as written', () => {
    const doc = minimalDoc();
    doc.layered_runtime = {
      layers: [
        { name: 'static', static_layer: { routing: { split: { v1: 80 } }, 'health_check.min_interval': 5 } },
        {
          name: 'disk',
          disk_layer: {
            symlink_root: '/srv/runtime/current',
            subdirectory: 'envoy',
            append_service_cluster: true,
          },
        },
        { name: 'admin', admin_layer: {} },
      ],
    };
    expect(load(doc).layeredRuntime).toEqual([
      {
        kind: 'static',
        name: 'static',
        values: { routing: { split: { v1: 80 } }, 'health_check.min_interval': 5 },
      },
      {
        kind: 'disk',
        name: 'disk',
        symlinkRoot: '/srv/runtime/current',
        subdirectory: 'envoy',
        appendServiceCluster: true,
      },
      { kind: 'admin', name: 'admin' },
    ]);
  });

  it('gives an empty layer list a single admin layer, as Envoy does', () => {
    const doc = minimalDoc();
    doc.layered_runtime = { layers: [] };
    expect(load(doc).layeredRuntime).toEqual([{ kind: 'admin', name: '' }]);
  });

  it('needs exactly one kind per layer and at most one admin layer', () => {
    const doc = minimalDoc();
    doc.layered_runtime = { layers: [{ name: 'x', static_layer: {}, admin_layer: {} }] };
    expect(loadError(doc).path).toBe('layered_runtime.layers[0].admin_layer');
    doc.layered_runtime = { layers: [{ name: 'x' }] };
    expect(loadError(doc).path).toBe('layered_runtime.layers[0]');
    doc.layered_runtime = {
      layers: [
        { name: 'a', admin_layer: {} },
        { name: 'b', admin_layer: {} },
      ],
    };
    expect(loadError(doc).path).toBe('layered_runtime.layers[1].admin_layer');
    doc.layered_runtime = { layers: [{ name: 'r', rtds_layer: { name: 'rtds' } }] };
    expect(loadError(doc).message).toContain('not supported by meshscope-proxy yet');
  });
});

describe('admin and node', () => {
  it('reads admin access logs; no address means no admin interface', () => {
    const doc = minimalDoc();
    doc.admin.access_log = [
      { name: 'envoy.access_loggers.file', typed_config: { '@type': FILE, path: '/tmp/admin.log' } },
    ];
    expect(load(doc).admin).toEqual({
      address: { address: '127.0.0.1', port: 9901 },
      accessLogs: [{ sink: 'file', path: '/tmp/admin.log' }],
    });
    delete doc.admin.address;
    expect(load(doc).admin).toBeUndefined();
  });

  it('accepts node metadata as free-form data', () => {
    const doc = minimalDoc();
    doc.node = { id: 'n1', cluster: 'c1', metadata: { someKey: { deepCamel: true } } };
    const b = load(doc);
    expect(b.node).toEqual({ id: 'n1', cluster: 'c1' });
    expect((b.raw as Doc).node.metadata).toEqual({ someKey: { deepCamel: true } });
  });
});

describe('http connection manager', () => {
  it("fills Envoy's defaults", () => {
    const hcm = load(minimalDoc()).listeners[0]!.hcm;
    expect(hcm).toMatchObject({
      statPrefix: 'ingress_http',
      codecType: 'AUTO',
      serverName: 'envoy',
      accessLogs: [],
      useRemoteAddress: false,
      generateRequestId: true,
      streamIdleTimeoutMs: 300_000,
      requestTimeoutMs: 0,
    });
    expect(hcm.rdsPath).toBeUndefined();
    expect(hcm.upgradeTypes).toBeUndefined();
  });

  it('reads its optional settings and access logs', () => {
    const doc = minimalDoc();
    Object.assign(hcmOf(doc), {
      codec_type: 'HTTP2',
      server_name: 'meshscope',
      use_remote_address: true,
      generate_request_id: false,
      stream_idle_timeout: '0s',
      request_timeout: '30s',
      upgrade_configs: [{ upgrade_type: 'WebSocket' }, { upgrade_type: 'h2c', enabled: false }],
      access_log: [
        {
          name: 'out',
          typed_config: {
            '@type': STDOUT,
            log_format: { text_format_source: { inline_string: '%REQ(:PATH)%\n' } },
          },
        },
        { name: 'err', typed_config: { '@type': STDERR, log_format: { text_format: '%RESPONSE_CODE%\n' } } },
        { name: 'file', typed_config: { '@type': FILE, path: '/var/log/a.log', format: '%PROTOCOL%\n' } },
        { name: 'file2', typed_config: { '@type': FILE, path: '/var/log/b.log' } },
      ],
    });
    const hcm = load(doc).listeners[0]!.hcm;
    expect(hcm).toMatchObject({
      codecType: 'HTTP2',
      serverName: 'meshscope',
      useRemoteAddress: true,
      generateRequestId: false,
      streamIdleTimeoutMs: 0,
      requestTimeoutMs: 30_000,
      upgradeTypes: ['websocket'],
    });
    expect(hcm.accessLogs).toEqual([
      { sink: 'stdout', format: '%REQ(:PATH)%\n' },
      { sink: 'stderr', format: '%RESPONSE_CODE%\n' },
      { sink: 'file', path: '/var/log/a.log', format: '%PROTOCOL%\n' },
      { sink: 'file', path: '/var/log/b.log' },
    ]);
  });

  it('reads a JSON access log format; rejects an unknown operator in it and an unknown logger type', () => {
    const doc = minimalDoc();
    const jsonFormat = { code: '%RESPONSE_CODE%', flags: '%RESPONSE_FLAGS%' };
    hcmOf(doc).access_log = [
      { name: 'x', typed_config: { '@type': STDOUT, log_format: { json_format: jsonFormat } } },
    ];
    expect(load(doc).listeners[0]!.hcm.accessLogs).toEqual([{ sink: 'stdout', jsonFormat }]);
    hcmOf(doc).access_log = [
      { name: 'x', typed_config: { '@type': STDOUT, log_format: { json_format: { a: '%A%' } } } },
    ];
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.access_log[0].typed_config.log_format.json_format`);
    expect(err.message).toContain('unsupported command operator %A%');
    hcmOf(doc).access_log = [
      { name: 'x', typed_config: { '@type': STDOUT, log_format: { text_format: '%NOPE%' } } },
    ];
    expect(loadError(doc).path).toBe(`${HCM_PATH}.access_log[0].typed_config.log_format.text_format`);
    hcmOf(doc).access_log = [{ name: 'x', typed_config: { '@type': 'type.googleapis.com/my.Logger' } }];
    expect(loadError(doc).path).toBe(`${HCM_PATH}.access_log[0].typed_config.@type`);
  });

  it('accepts the router with its v3 typed_config but no router options', () => {
    const doc = minimalDoc();
    const router = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
    hcmOf(doc).http_filters = [{ name: 'envoy.filters.http.router', typed_config: { '@type': router } }];
    expect(load(doc).listeners[0]!.hcm.httpFilters).toEqual([
      { name: 'envoy.filters.http.router', typedConfig: {} },
    ]);
    hcmOf(doc).http_filters[0].typed_config.suppress_envoy_headers = true;
    expect(loadError(doc).path).toBe(`${HCM_PATH}.http_filters[0].typed_config.suppress_envoy_headers`);
    hcmOf(doc).http_filters = [];
    expect(loadError(doc).path).toBe(`${HCM_PATH}.http_filters`);
  });
});
