# One image for the irflow API, worker and migrations (the command picks the role).
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
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
