# The Plan B image. One image for both roles:
#   docker run … planb                              planb serve (the default CMD)
#   docker run --no-healthcheck … planb worker --runner prod
# The worker has no HTTP port, so the /healthz check below does not apply to it (Kubernetes ignores HEALTHCHECK).

# --- build: dev dependencies and the TypeScript compiler ---------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so this layer is reused until the lock changes. `prepare` (the build) needs the sources,
# which are not here yet: the build runs on its own below, as `npm ci` runs it in CI (.ci/run).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, the compiled code and the files it reads ----------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
# --ignore-scripts: no `prepare` build here (no compiler); msgpackr (BullMQ) loads its prebuilt optional binary.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at run time relative to dist/: the example planb.yaml and runbooks (used when PLANB_CONFIG is unset) and
# the Teams icons that `planb manifest teams` zips. The files stay root-owned: the app only reads them.
COPY examples ./examples
COPY manifests/teams ./manifests/teams
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can check it is not root.
USER 1000:1000
EXPOSE 3000
# slim has neither curl nor wget; Node 20 has fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A 2 MB young generation keeps the heap from growing with a busy minute's garbage (docs/BENCHMARKS.md, memory).
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/cli.js"]
CMD ["serve"]
