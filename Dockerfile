# syntax=docker/dockerfile:1.7
# One multi-stage build for every stage of the pipeline (README "Deploying").
#   docker build --target service -t llmpt:dev .          discovery, normalizer, sink, migrate, topics
#   docker build --target scraper -t llmpt-scraper:dev .  the same plus Chromium for rendered pages
# The command picks the process; the default is the normalizer. deploy/tests/ reads the CMD lines below
# and the commands in docker-compose.yml and deploy/k8s, and runs exactly those against the local stack.
ARG NODE_IMAGE=node:22.12.0-bookworm-slim

# --- build: all dependencies, esbuild bundles into services/*/dist and packages/runtime/dist, Vite
# builds the explorer into web/dist ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY packages/core/package.json packages/core/
COPY packages/runtime/package.json packages/runtime/
COPY packages/testkit/package.json packages/testkit/
COPY packages/fixture-server/package.json packages/fixture-server/
COPY packages/exports/package.json packages/exports/
COPY packages/consumer/package.json packages/consumer/
COPY services/discovery/package.json services/discovery/
COPY services/scraper/package.json services/scraper/
COPY services/normalizer/package.json services/normalizer/
COPY services/sink/package.json services/sink/
COPY services/notifier/package.json services/notifier/
COPY services/api/package.json services/api/
COPY services/verifier/package.json services/verifier/
COPY web/package.json web/
# esbuild's postinstall only picks the platform binary, which npm already installed as an optional dep.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- deps: production node_modules only (the bundles keep npm packages external) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/schemas/package.json schemas/
COPY --from=build /app/packages/core/package.json packages/core/
COPY --from=build /app/packages/runtime/package.json packages/runtime/
COPY --from=build /app/packages/testkit/package.json packages/testkit/
COPY --from=build /app/packages/fixture-server/package.json packages/fixture-server/
COPY --from=build /app/packages/exports/package.json packages/exports/
COPY --from=build /app/packages/consumer/package.json packages/consumer/
COPY --from=build /app/services/discovery/package.json services/discovery/
COPY --from=build /app/services/scraper/package.json services/scraper/
COPY --from=build /app/services/normalizer/package.json services/normalizer/
COPY --from=build /app/services/sink/package.json services/sink/
COPY --from=build /app/services/notifier/package.json services/notifier/
COPY --from=build /app/services/api/package.json services/api/
COPY --from=build /app/services/verifier/package.json services/verifier/
COPY --from=build /app/web/package.json web/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- service: runtime image, non-root, tini as PID 1 so SIGTERM reaches node and zombies are reaped ---
FROM ${NODE_IMAGE} AS service
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini xz-utils \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HEALTH_PORT=8080 \
    MIGRATIONS_DIR=/app/migrations
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/services/discovery/dist services/discovery/dist
COPY --from=build /app/services/scraper/dist services/scraper/dist
COPY --from=build /app/services/normalizer/dist services/normalizer/dist
COPY --from=build /app/services/sink/dist services/sink/dist
COPY --from=build /app/services/notifier/dist services/notifier/dist
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/verifier/dist services/verifier/dist
# The price explorer's static files (web/, Vite): services/api serves them when WEB_DIST names them.
COPY --from=build /app/web/dist web/dist
COPY --from=build /app/packages/runtime/dist packages/runtime/dist
COPY configs configs
COPY migrations migrations
# The image's files stay root-owned and read-only to the process (the k8s manifests also mount the
# root filesystem read-only); uid 1000 is the node image's `node` user.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
# Discovery, migrate and topics are run-to-completion: the probe only matters for the consumers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "services/normalizer/dist/main.js"]

# --- scraper: the service image plus Debian's Chromium (CHROMIUM_PATH defaults to /usr/bin/chromium) ---
FROM service AS scraper
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
# Chromium writes its profile, caches and crash data under HOME/XDG dirs: point them at /tmp, the only
# writable path (an emptyDir in k8s, a tmpfs in compose).
ENV HOME=/tmp \
    XDG_CONFIG_HOME=/tmp/.config \
    XDG_CACHE_HOME=/tmp/.cache
USER 1000:1000
CMD ["node", "services/scraper/dist/main.js"]
