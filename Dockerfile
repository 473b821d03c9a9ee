# swas-inventory: the worker daemon (and every other CLI command) in one image.
#   docker build -t swas-inventory .
#   docker run --rm -e DATABASE_URL=... -e REDIS_URL=... swas-inventory worker
# Node 20 is the oldest supported runtime (package.json engines); newer majors work too.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off, as on the development machines (package.json "allowScripts"):
# every dependency here works from its published files.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# The ops server must be reachable from outside the container (probes, Prometheus, Bull Board);
# outside a container HTTP_HOST defaults to 127.0.0.1.
ENV HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Applied by `worker` and `sync` at start (under an advisory lock, so several workers may start at once).
COPY migrations ./migrations
# The web console's own CSS and scripts (served by `console`; htmx and uPlot come from node_modules).
COPY src/console/assets ./src/console/assets
USER node
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||9090)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `docker stop` sends SIGTERM: the worker stops taking jobs and lets active ones finish.
# Give it longer than --shutdown-timeout (compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["worker"]
