# One image for the irflow API, worker and migrations (the command picks the role).
# The console is built in a stage of its own (it needs the dev dependencies: vite, react).
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console ./console
COPY scripts/console-build.mjs ./scripts/console-build.mjs
RUN node scripts/console-build.mjs --force

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY machines ./machines
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY db ./db
COPY runtime ./runtime
COPY scripts ./scripts
COPY playbooks ./playbooks
COPY tsconfig.json ./
COPY --from=console /app/console/dist ./console/dist
# The signing key (shared by the API and the workers) and the checkpoints live on volumes mounted here.
ENV IRFLOW_DATA_DIR=/var/lib/irflow
RUN mkdir -p /var/lib/irflow/signing /var/lib/irflow/checkpoints /var/lib/irflow/evidence && chown -R node:node /var/lib/irflow && chmod 700 /var/lib/irflow/signing
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
