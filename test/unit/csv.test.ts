import { describe, expect, it } from 'vitest';
import { toCsv } from '../../api/csv.js';

describe('CSV answers', () => {
  it('keeps text a spreadsheet would run as a formula as text', () => {
    const csv = toCsv(['key', 'n'], [['=HYPERLINK("http://evil.example","click")', 1], ['+1+cmd|calc', 2], ['-2+3', 3], ['@SUM(A1:A2)', 4], ['\tTAB', 5], ['\rCR', 6]]);
    const keys = csv.trim().split('\r\n').slice(1).map((line) => line.slice(0, line.lastIndexOf(',')));
    expect(keys).toEqual([`"'=HYPERLINK(""http://evil.example"",""click"")"`, "'+1+cmd|calc", "'-2+3", "'@SUM(A1:A2)", "'\tTAB", `"'\rCR"`]);
  });

  it('writes numbers, negative ones included, and plain text as they are', () => {
    expect(toCsv(['key', 'seconds'], [['payments', -12.5], ['a, "quoted" name', 0], [null, undefined]])).toBe('key,seconds\r\npayments,-12.5\r\n"a, ""quoted"" name",0\r\n,\r\n');
  });
});
