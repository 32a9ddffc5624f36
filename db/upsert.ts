/**
 * The wide inserts and upserts of the recording hot path (events, incidents, measures) as SQL text
 * with parameters. drizzle's query builder spends about half a millisecond of CPU per statement
 * walking the column entities of a wide table (`npm run bench:record`, profiled: `is()` and `buildQueryFromSourceParams` led the
 * worker's profile); here the column list of a table is resolved once, and each value is encoded
 * by its column as drizzle would (jsonb as JSON text, timestamps as ISO text) before it is bound.
 */
import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

interface TableShape {
  name: string;
  byProperty: Map<string, PgColumn>;
}

const shapes = new WeakMap<PgTable, TableShape>();

function shapeOf(table: PgTable): TableShape {
  let shape = shapes.get(table);
  if (!shape) shapes.set(table, (shape = { name: getTableName(table), byProperty: new Map(Object.entries(getTableColumns(table))) }));
  return shape;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

function columnName(table: PgTable, property: string): string {
  const column = shapeOf(table).byProperty.get(property);
  if (!column) throw new Error(`no column ${property} in ${shapeOf(table).name}`);
  return quoted(column.name);
}

/** On a conflict on `target`, update the columns of `update` to the new row's values; only where the new row's `onlyIfGreater` is greater. */
export interface OnConflict {
  target: string[];
  update: string[];
  onlyIfGreater?: string;
}

function encoded(column: PgColumn, value: unknown): unknown {
  return value === null ? null : column.mapToDriverValue(value);
}

/**
 * `insert into … values …` of rows; a property undefined in a row is the column's default (as
 * drizzle does), one undefined in every row is left out. `onConflict` adds the ON CONFLICT clause.
 */
export function insertSql(table: PgTable, rows: Array<Record<string, unknown>>, onConflict?: OnConflict): SQL {
  const { name, byProperty } = shapeOf(table);
  const properties = [...byProperty.keys()].filter((property) => rows.some((row) => row[property] !== undefined));
  const columns = properties.map((property) => byProperty.get(property)!);
  const head = `insert into ${quoted(name)} (${columns.map((c) => quoted(c.name)).join(', ')}) values `;
  const values = rows.map(
    (row) => sql`(${sql.join(properties.map((property, i) => (row[property] === undefined ? sql.raw('default') : sql.param(encoded(columns[i]!, row[property])))), sql.raw(', '))})`,
  );
  return sql.join([sql.raw(head), sql.join(values, sql.raw(', ')), sql.raw(conflictClause(table, onConflict))]);
}

function conflictClause(table: PgTable, onConflict: OnConflict | undefined): string {
  if (!onConflict) return '';
  const target = onConflict.target.map((p) => columnName(table, p)).join(', ');
  const set = onConflict.update.map((p) => `${columnName(table, p)} = excluded.${columnName(table, p)}`).join(', ');
  const guard = onConflict.onlyIfGreater;
  const where = guard ? ` where ${quoted(shapeOf(table).name)}.${columnName(table, guard)} < excluded.${columnName(table, guard)}` : '';
  return ` on conflict (${target}) do update set ${set}${where}`;
}

/** The properties a row sets (not undefined), less some (its key): what an upsert updates. */
export function setProperties(row: Record<string, unknown>, except: string[]): string[] {
  return Object.keys(row).filter((property) => row[property] !== undefined && !except.includes(property));
}
