# meshscope: one image for the dashboard (`meshscope`, the default) and the bundled sidecar
# (`meshscope-proxy`). Node 24, the same major the project pins for development, tests and CI.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The pinned `node` devDependency is not needed here: the base image is the runtime.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY shared ./shared
COPY server ./server
COPY proxy ./proxy
USER node
# 20001: dashboard; 10000/9901: the conventional sidecar listener and Envoy admin ports.
EXPOSE 20001 10000 9901
ENTRYPOINT ["/app/bin/meshscope"]
