# syntax=docker/dockerfile:1.7
# Every server of the repository (the six services and the simulators) as an image: compiled JavaScript
# (scripts/build-service.mjs), production dependencies only, non-root. One file, three build arguments:
#   PACKAGE      the workspace package, e.g. @fv/orders
#   PACKAGE_DIR  its folder, e.g. services/orders
#   PORT         the port it listens on (its package.json's platform.port)
# Build from the repository root (the build needs the workspace packages and the lockfile):
#   docker build -f infra/docker/service.Dockerfile --build-arg PACKAGE=@fv/orders \
#     --build-arg PACKAGE_DIR=services/orders --build-arg PORT=8084 -t first-viscount/orders .
# or through docker-compose.yml (`docker compose --profile platform build orders`), which sets them.
ARG NODE_IMAGE=node:20-alpine

# 1. The workspace: dependencies from the lockfile, Prisma client and console generated, the package
#    compiled to <PACKAGE_DIR>/dist/main.js, then its production dependencies deployed flat (hoisted) into
#    /deploy, where the compiled file finds every package it imports. What it reads at run time besides
#    (migrations, the coordination service's console page) goes to /deploy/assets, laid out as in the
#    package's folder.
FROM ${NODE_IMAGE} AS build
ARG PACKAGE
ARG PACKAGE_DIR
ENV PNPM_HOME=/pnpm npm_config_store_dir=/pnpm/store COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \
    TURBO_TELEMETRY_DISABLED=1
ENV PATH=$PNPM_HOME:$PATH
RUN test -n "$PACKAGE" && test -n "$PACKAGE_DIR" && corepack enable
WORKDIR /repo
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY patches ./patches
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --offline
RUN pnpm exec turbo run build --filter="$PACKAGE"
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter="$PACKAGE" --prod --config.node-linker=hoisted \
      --config.inject-workspace-packages=true deploy /deploy \
 && rm -rf /deploy/dist && cp -R "$PACKAGE_DIR/dist" /deploy/dist && rm -rf /deploy/dist/node_modules \
 && mkdir -p /deploy/assets \
 && for asset in prisma/migrations migrations console/dist; do \
      if [ -d "$PACKAGE_DIR/$asset" ]; then \
        mkdir -p "/deploy/assets/$(dirname "$asset")" && cp -R "$PACKAGE_DIR/$asset" "/deploy/assets/$asset"; \
      fi; \
    done

# 2. The image: Node.js, the compiled file and what it reads at run time, nothing else.
FROM ${NODE_IMAGE} AS runtime
ARG PORT
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    NODE_OPTIONS="--enable-source-maps --max-old-space-size=256"
WORKDIR /app
COPY --from=build --chown=root:root /deploy/package.json ./package.json
COPY --from=build --chown=root:root /deploy/node_modules ./node_modules
COPY --from=build --chown=root:root /deploy/dist ./dist
# Migrations applied at start (../prisma/migrations or ../migrations from dist/main.js), the console page.
COPY --from=build --chown=root:root /deploy/assets/ ./
USER node
EXPOSE ${PORT}
# Ready: database reachable, broker connected, consumers running.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
