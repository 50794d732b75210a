// nginx configurations for the benchmark: the origin every target proxies to, and nginx as the reference
// proxy. Both run in the foreground (`daemon off`) with every path inside the run's temp directory, so
// they need nothing from /etc/nginx or /var and can run side by side with any system nginx.

export const originBody = 'meshscope bench origin\n';

// nginx closes a keep-alive connection after keepalive_requests requests (default 1000 since 1.19.10).
// Envoy and our proxy have no such limit by default, so it is lifted everywhere: no target pays for
// reconnects that the others do not.
const unlimitedKeepalive = 1_000_000;

function preamble(workDir: string, name: string, workers: number): string {
  return `worker_processes ${workers};
daemon off;
pid ${workDir}/${name}.pid;
error_log ${workDir}/${name}.error.log error;
events { worker_connections 4096; }
`;
}

function tempPaths(workDir: string, name: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${workDir}/${name}-${kind}-temp;`)
    .join('\n');
}

/** The origin: one server listening on every port in `ports`, answering 200 with a small fixed body. */
export function renderOriginConfig(options: {
  workDir: string;
  ports: readonly number[];
  workers: number;
}): string {
  const listens = options.ports.map((port) => `    listen 127.0.0.1:${port};`).join('\n');
  return `${preamble(options.workDir, 'origin', options.workers)}http {
  access_log off;
${tempPaths(options.workDir, 'origin')}
  keepalive_requests ${unlimitedKeepalive};
  server {
${listens}
    location / {
      default_type text/plain;
      return 200 ${JSON.stringify(originBody)};
    }
  }
}
`;
}

export interface WeightedUpstream {
  port: number;
  /** Relative weight, as in the Envoy weighted_clusters it mirrors. */
  weight: number;
}

/**
 * nginx as the reference proxy: one worker, a keep-alive upstream pool of 64 idle connections, HTTP/1.1
 * to the upstream with the Connection header cleared (both needed for upstream keep-alive, per the
 * ngx_http_upstream_module keepalive docs), no access log. The upstreams carry the same weights as our
 * proxy's weighted clusters so both spread load the same way.
 */
export function renderNginxProxyConfig(options: {
  workDir: string;
  listenPort: number;
  upstreams: readonly WeightedUpstream[];
}): string {
  const servers = options.upstreams
    .map((upstream) => `    server 127.0.0.1:${upstream.port} weight=${upstream.weight};`)
    .join('\n');
  return `${preamble(options.workDir, 'nginx-proxy', 1)}http {
  access_log off;
${tempPaths(options.workDir, 'nginx-proxy')}
  keepalive_requests ${unlimitedKeepalive};
  upstream origin {
${servers}
    keepalive 64;
    keepalive_requests ${unlimitedKeepalive};
  }
  server {
    listen 127.0.0.1:${options.listenPort};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}
