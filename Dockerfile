# random-chat-backend: multi-stage image on the current Node LTS, running as the unprivileged
# `node` user. deploy/check/dockerfile.js runs these same commands outside Docker in CI.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev --ignore-scripts

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY public ./public
COPY deploy/docker/healthcheck.js ./deploy/docker/healthcheck.js
USER node
EXPOSE 3000
# The server drains on SIGTERM (SHUTDOWN_TIMEOUT_MS, 10 s by default): give `docker stop` a
# longer --time (compose: stop_grace_period) so it never kills a drain.
STOPSIGNAL SIGTERM
# Liveness: GET /live is about the process only, so a Redis outage never restarts the container.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 CMD ["node", "deploy/docker/healthcheck.js"]
CMD ["node", "dist/index.js"]
