/** Instants and dates as the API takes and gives them. */

/** An RFC 3339 instant in the years 1000–9999 (Postgres has no year 0; nothing irflow records is older). */
export const isoTime = { type: 'string', format: 'date-time', pattern: '^[1-9][0-9]{3}-' } as const;
/** A calendar date in the years 1000–9999. */
export const isoDate = { type: 'string', format: 'date', pattern: '^[1-9][0-9]{3}-' } as const;
