import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv.ts';

describe('parseCsv', () => {
  it('reads CSV as Excel writes it: byte-order mark, CRLF, quoted fields with commas, doubled quotes and line breaks', () => {
    const text = '\uFEFFpoint,unit\r\n"a,b","say ""hi"""\r\n"two\r\nlines",x\r\nc , d \r\n';
    expect(parseCsv(text)).toEqual({
      rows: [
        { line: 1, fields: ['point', 'unit'] },
        { line: 2, fields: ['a,b', 'say "hi"'] },
        { line: 3, fields: ['two\nlines', 'x'] },
        // line 4 holds the rest of the quoted field; unquoted fields are trimmed
        { line: 5, fields: ['c', 'd'] },
      ],
      errors: [],
    });
  });

  it('skips blank lines, # comments and rows of empty fields, and keeps counting their lines', () => {
    const text = 'h,i\n\n# a comment, with a comma\n,\n  \na,b # not a comment\n';
    expect(parseCsv(text).rows).toEqual([
      { line: 1, fields: ['h', 'i'] },
      { line: 6, fields: ['a', 'b # not a comment'] },
    ]);
  });

  it('stops at a quote that is never closed and names the line where its record starts', () => {
    const text = 'h,i\r\na,b\r\n\r\nc,"open\r\nd,e\r\n';
    expect(parseCsv(text)).toEqual({
      rows: [
        { line: 1, fields: ['h', 'i'] },
        { line: 2, fields: ['a', 'b'] },
      ],
      errors: [{ line: 4, fieldIndex: 1, message: 'a quoted field that starts on this line is never closed; reading stops here' }],
    });
  });

  it('stops at a character after a closing quote and names its line and field', () => {
    const { rows, errors } = parseCsv('h,i,j\n"two\nlines",b,c\nd,"e"f,g\nh,i,j\n');
    expect(rows.map((r) => r.line)).toEqual([1, 2]);
    expect(errors).toEqual([{ line: 4, fieldIndex: 1, message: expect.stringMatching(/^unexpected character after a quoted field/) as unknown }]);
  });
});
