/**
 * Inserts and upserts of the recording hot path as SQL text with parameters. drizzle's query
 * builder spends about half a millisecond of CPU per statement walking the column entities of a
 * wide table (`npm run bench:record`, profiled: `is()` and `buildQueryFromSourceParams` led the
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

/** The table's name, quoted. */
export function tableName(table: PgTable): string {
  return quoted(shapeOf(table).name);
}

/** The column a property of the table is stored in (a typo is a programming error: thrown). */
export function columnName(table: PgTable, property: string): string {
  const column = shapeOf(table).byProperty.get(property);
  if (!column) throw new Error(`no column ${property} in ${shapeOf(table).name}`);
  return quoted(column.name);
}

export type OnConflict =
  | { doNothing: true }
  /** Update the columns of these properties to the new row's values, where `where` (SQL text) holds. */
  | { target: string[]; update: string[]; where?: string };

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
  if ('doNothing' in onConflict) return ' on conflict do nothing';
  const target = onConflict.target.map((p) => columnName(table, p)).join(', ');
  const set = onConflict.update.map((p) => `${columnName(table, p)} = excluded.${columnName(table, p)}`).join(', ');
  return ` on conflict (${target}) do update set ${set}${onConflict.where ? ` where ${onConflict.where}` : ''}`;
}

/** The properties a row sets (not undefined), less some (its key): what an upsert updates. */
export function setProperties(row: Record<string, unknown>, except: string[]): string[] {
  return Object.keys(row).filter((property) => row[property] !== undefined && !except.includes(property));
}
