/** A CSV answer of the API (Accept: text/csv) saved as a file by the browser. */
import { apiText } from './api.js';

export async function downloadCsv(path: string, name: string): Promise<void> {
  const csv = await apiText(path, { accept: 'text/csv' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}
