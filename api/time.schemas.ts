/** Instants and dates as the API takes and gives them. */

/** An RFC 3339 instant in the years 1000–9999 (Postgres has no year 0; nothing irflow records is older). */
export const isoTime = { type: 'string', format: 'date-time', pattern: '^[1-9][0-9]{3}-' } as const;
/** A calendar date in the years 1000–9999. */
export const isoDate = { type: 'string', format: 'date', pattern: '^[1-9][0-9]{3}-' } as const;

/**
 * An RFC 3339 instant as irflow stores it: in UTC. The schema lets any offset through, but Postgres
 * refuses offsets beyond ±15:59 when it reads the value back (GET /v1/tasks sorts by due time, and
 * answered 500 on one that Schemathesis stored); undefined for a value that names no instant in
 * the years 1000-9999.
 */
export function utcInstant(value: string): string | undefined {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return /^[1-9][0-9]{3}-/.test(iso) ? iso : undefined;
}
