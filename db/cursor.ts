/** Page cursors: the sort values of a page's last row, opaque to clients (base64url JSON). */

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The `count` values of a cursor this API handed out, and its first one read as an instant; else InvalidCursorError. */
export function decodeCursor(cursor: string, count: number): { at: Date; values: string[] } {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(values) || values.length !== count || !values.every((v) => typeof v === 'string')) throw new Error('bad cursor');
    const at = new Date(values[0] as string);
    if (Number.isNaN(at.getTime())) throw new Error('bad cursor');
    return { at, values: values as string[] };
  } catch {
    throw new InvalidCursorError('cursor is not one this API handed out');
  }
}
