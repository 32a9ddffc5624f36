/**
 * The least-privilege database role for the API and the workers (`IRFLOW_APP_ROLE=… npm run
 * migrate`): it reads and writes the projections, and may only INSERT and SELECT the ledger
 * tables - no UPDATE, DELETE or TRUNCATE - while superseding a lost task's rows goes through
 * irflow_supersede_events, which keeps them. The role that migrates owns the tables; the services
 * connect as this one. Postgres only (the embedded database has no roles to speak of).
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { selectRows } from './sql-rows.js';

/** The tables whose rows, once written, stay as written. */
export const LEDGER_TABLES = ['incident_events', 'incident_events_superseded', 'access_log', 'audit_chain_events', 'checkpoints', 'checkpoint_heads'] as const;

/** A statement with identifiers and literals quoted by the server (format's %I and %L), run as written. */
async function run(db: Database, template: string, ...values: string[]): Promise<void> {
  const args = values.map((value) => sql`${value}::text`);
  const [row] = await selectRows<{ statement: string }>(db, sql`select format(${template}::text, ${sql.join(args, sql`, `)}) as statement`);
  await db.execute(sql.raw(row!.statement));
}

/** Makes the role (or gives it a new password) and sets its privileges; safe to run after every migration. */
export async function grantAppRole(db: Database, role: string, password?: string): Promise<void> {
  const [existing] = await selectRows<{ exists: boolean }>(db, sql`select exists (select 1 from pg_roles where rolname = ${role}) as exists`);
  if (!existing?.exists) {
    if (!password) throw new Error(`the role ${role} does not exist: give IRFLOW_APP_ROLE_PASSWORD to make it`);
    await run(db, 'create role %I login password %L', role, password);
  } else if (password) {
    await run(db, 'alter role %I login password %L', role, password);
  }
  await run(db, 'grant usage on schema public to %I', role);
  await run(db, 'grant select, insert, update, delete on all tables in schema public to %I', role);
  await run(db, 'grant usage, select on all sequences in schema public to %I', role);
  await run(db, `revoke update, delete, truncate on ${LEDGER_TABLES.join(', ')} from %I`, role);
  await run(db, 'grant execute on function irflow_supersede_events(text, integer) to %I', role);
}
