import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/db/schema.ts and committed; hand-written SQL (append-only
// triggers, views, roles) lives in `--custom` migrations beside them. Apply with `swas-inventory migrate`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
  schemaFilter: ['swas'],
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres' },
});
