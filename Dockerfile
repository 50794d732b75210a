# meshscope: one image for the dashboard (`meshscope`, the entrypoint) and the bundled sidecar
# (`meshscope-proxy`: `docker run --entrypoint meshscope-proxy …`, or `command: [meshscope-proxy]` in
# a pod). Node 24, the major the project pins for development, tests and CI; TypeScript runs through
# Node's type stripping, so the server and the proxy ship as sources with no build step.
#   docker build -t meshscope:0.1.0 .
#   docker run --rm -p 20001:20001 meshscope:0.1.0 --demo --address 0.0.0.0

# The UI is built with the dev dependencies (Vite, React); only its static output is kept.
FROM node:24-bookworm-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY client ./client
COPY shared ./shared
RUN npx vite build client --logLevel warn

# Runtime dependencies only (`--omit=dev`): the base image is the runtime, so the pinned `node`
# devDependency is not needed either. No install scripts run (`prepare` builds the UI, done above).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PATH=/app/bin:$PATH \
    MESHSCOPE_DATA_DIR=/var/lib/meshscope \
    MESHSCOPE_HEALTHCHECK_URL=http://127.0.0.1:20001/healthz
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=ui /app/client/dist ./client/dist
COPY package.json ./
COPY bin ./bin
COPY shared ./shared
COPY server ./server
COPY proxy ./proxy
# The state directory (weights audit log) belongs to the unprivileged user; in Kubernetes it is an
# emptyDir and the root filesystem is read-only.
RUN mkdir -p /var/lib/meshscope && chown 1000:1000 /var/lib/meshscope
# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# 20001: dashboard; 10000/9901: the conventional sidecar listener and Envoy admin ports.
EXPOSE 20001 10000 9901
# The dashboard's /healthz by default; a sidecar container sets
# MESHSCOPE_HEALTHCHECK_URL=http://127.0.0.1:9901/ready (Envoy's admin readiness). Kubernetes ignores
# HEALTHCHECK and uses the manifests' probes instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.MESHSCOPE_HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["meshscope"]
