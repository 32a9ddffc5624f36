import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./db/schema.ts', './db/context.schema.ts', './db/measures.schema.ts', './db/audit.schema.ts', './db/exposure.schema.ts', './db/simulations.schema.ts'],
  out: './db/migrations',
});
