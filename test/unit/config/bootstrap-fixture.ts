// A small valid bootstrap, as a plain object that each test changes in one place before loading it.

import { stringify } from 'yaml';
import { ConfigError, parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary places of the document
export type Doc = Record<string, any>;

export function minimalDoc(): Doc {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } },
    static_resources: {
      listeners: [
        {
          name: 'ingress',
          address: { socket_address: { address: '127.0.0.1', port_value: 10000 } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'ingress_http',
                    http_filters: [{ name: 'envoy.filters.http.router' }],
                    route_config: {
                      name: 'local',
                      virtual_hosts: [
                        {
                          name: 'backend',
                          domains: ['*'],
                          routes: [
                            {
                              match: { prefix: '/' },
                              route: {
                                weighted_clusters: {
                                  clusters: [
                                    { name: 'v1', weight: 80 },
                                    { name: 'v2', weight: 20 },
                                  ],
                                },
                              },
                            },
                          ],
                        },
                      ],
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: ['v1', 'v2'].map((name, i) => ({
        name,
        type: 'STATIC',
        load_assignment: {
          cluster_name: name,
          endpoints: [
            {
              lb_endpoints: [
                { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8081 + i } } } },
              ],
            },
          ],
        },
      })),
    },
  };
}

/** The HCM typed_config of the first listener. */
export function hcmOf(doc: Doc): Doc {
  return doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
}

/** The first route of the first virtual host. */
export function firstRouteOf(doc: Doc): Doc {
  return hcmOf(doc).route_config.virtual_hosts[0].routes[0];
}

export const HCM_PATH = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
export const ROUTE_PATH = `${HCM_PATH}.route_config.virtual_hosts[0].routes[0]`;

export function load(doc: Doc) {
  return parseBootstrap(stringify(doc));
}

/** The ConfigError thrown by `fn` (fails the test if none is thrown). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

/** The ConfigError for loading `doc`. */
export function loadError(doc: Doc): ConfigError {
  return configError(() => load(doc));
}
