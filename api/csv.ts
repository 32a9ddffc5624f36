/** CSV (RFC 4180) for tabular answers: `Accept: text/csv` on the KPI and report routes, safe to open in a spreadsheet. */
import type { FastifyReply, FastifyRequest } from 'fastify';

type Cell = string | number | boolean | null | undefined;

/**
 * Text a spreadsheet would run as a formula (OWASP's CSV injection list: a leading =, +, -, @, tab
 * or carriage return) is kept as text with a leading apostrophe. Numbers are written as numbers.
 */
function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? neutralised(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The quality the Accept header gives a media type (an exact range, its type wildcard, or any); 0 when refused. */
function quality(accept: string, type: string): number {
  let best = -1;
  let specificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const matches = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (matches <= specificity) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    specificity = matches;
    best = q ? Number(q.slice(2)) || 0 : 1;
  }
  return Math.max(best, 0);
}

/** Does the client prefer CSV to JSON (JSON wins ties and a missing header)? */
export function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (!accept) return false;
  return quality(accept, 'text/csv') > quality(accept, 'application/json');
}

export function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}.csv"`).send(csv);
}
