/**
 * The wide inserts and upserts of the recording hot path (events, incidents, measures) as SQL text
 * whose rows travel as one JSON parameter, unpacked by the server into the table's row type
 * (`jsonb_populate_recordset`). drizzle's query builder spends about half a millisecond of CPU per
 * wide statement walking the column entities of the table and then every bound value
 * (`npm run bench:record`, profiled: `is()`, `buildQueryFromSourceParams` and `prepareTyping` led
 * the worker's profile); here a table's column list is resolved once, the statement text is the
 * same for every row of the same shape (prepared once per connection), and its only parameter is
 * the rows. Each value is encoded by its column as drizzle would (timestamps as ISO text), json
 * and arrays as themselves.
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

/** Columns whose values are JSON themselves inside a JSON row (json, jsonb, arrays): neither encoded nor decoded. */
const JSON_NATIVE = new Set(['PgJsonb', 'PgJson', 'PgArray']);

/** A value as its column takes it inside a JSON row: json and arrays as they are, the rest as drizzle binds them. */
function encoded(column: PgColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return JSON_NATIVE.has(column.columnType) ? value : column.mapToDriverValue(value);
}

/**
 * `insert into … select … from jsonb_populate_recordset(…)` of rows; a property undefined in
 * every row is left out (the column's default). A property undefined in some rows and not others
 * would be null there, not the default: such rows are refused. `onConflict` adds the ON CONFLICT clause.
 */
export function insertSql(table: PgTable, rows: Array<Record<string, unknown>>, onConflict?: OnConflict): SQL {
  const { name, byProperty } = shapeOf(table);
  const properties = [...byProperty.keys()].filter((property) => rows.some((row) => row[property] !== undefined));
  const columns = properties.map((property) => byProperty.get(property)!);
  const json = rows.map((row) => {
    const record: Record<string, unknown> = {};
    properties.forEach((property, i) => {
      if (row[property] === undefined) throw new Error(`insert into ${name}: ${property} is set in some rows and not in others`);
      record[columns[i]!.name] = encoded(columns[i]!, row[property]);
    });
    return record;
  });
  const list = columns.map((c) => quoted(c.name)).join(', ');
  return sql.join([
    sql.raw(`insert into ${quoted(name)} (${list}) select ${list} from jsonb_populate_recordset(null::${quoted(name)}, `),
    sql.param(JSON.stringify(json)),
    sql.raw(`::jsonb)${conflictClause(table, onConflict)}`),
  ]);
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

/**
 * Writes that touch different rows, as one statement: each a data-modifying part of a WITH. They
 * run on one snapshot, so none may read what another writes (each row is written by one part);
 * one round trip and one statement for the server to parse and plan, where there were as many as
 * the parts (the recording hot path: `npm run bench:record`).
 */
export function oneStatement(writes: SQL[]): SQL {
  if (writes.length === 1) return writes[0]!;
  const parts = writes.map((write, i) => sql.join([sql.raw(`w${i} as (`), write, sql.raw(')')]));
  return sql.join([sql.raw('with '), sql.join(parts, sql.raw(', ')), sql.raw(' select 1')]);
}

/**
 * A row of `table` from its JSON form (`to_jsonb(row)`: column names, timestamps as text), as
 * drizzle's select would hand it over: properties by their TS names, each value mapped by its column.
 */
export function rowFromJson<T extends PgTable>(table: T, json: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [property, column] of shapeOf(table).byProperty) {
    const value = json[column.name];
    row[property] = value === null || value === undefined ? null : JSON_NATIVE.has(column.columnType) ? value : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}
