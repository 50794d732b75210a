# meshscope: one image for the dashboard (`meshscope`, the default) and the bundled sidecar
# (`meshscope-proxy`). Node 24, the same major the project pins for development, tests and CI.

# The UI is built with the dev dependencies (Vite, React); only its static output is kept.
FROM node:24-bookworm-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY client ./client
COPY shared ./shared
RUN npx vite build client --logLevel warn

# Runtime dependencies only; the base image is the runtime (the pinned `node` devDependency is not needed).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=ui /app/client/dist ./client/dist
COPY package.json ./
COPY bin ./bin
COPY shared ./shared
COPY server ./server
COPY proxy ./proxy
USER node
# 20001: dashboard; 10000/9901: the conventional sidecar listener and Envoy admin ports.
EXPOSE 20001 10000 9901
ENTRYPOINT ["/app/bin/meshscope"]
