import { ApiError } from '../errors.ts';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'html', 'pdf'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_MEDIA_TYPES = {
  json: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html',
  pdf: 'application/pdf',
} as const satisfies Record<ReportFormat, string>;

/** What a media range of an Accept header matches, best first. */
function formatsMatching(range: string): ReportFormat[] {
  if (range === '*/*' || range === 'application/*') return range === '*/*' ? ['json', 'csv', 'xlsx', 'html', 'pdf'] : ['json', 'xlsx', 'pdf'];
  if (range === 'text/*') return ['csv', 'html'];
  return REPORT_FORMATS.filter((f) => REPORT_MEDIA_TYPES[f] === range);
}

/**
 * The representation to send: `format` when given, else the Accept header's most preferred
 * media range we have (RFC 9110, 12.5.1: q-values, then order), JSON without a header; 406
 * when it accepts none of them.
 */
export function negotiateFormat(format: ReportFormat | undefined, accept: string | undefined): ReportFormat {
  if (format) return format;
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((part, order) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q === undefined ? 1 : Number(q.slice(2)), order };
    })
    .filter((r) => r.type !== '' && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const r of ranges) {
    const [first] = formatsMatching(r.type);
    if (first) return first;
  }
  throw new ApiError('MTL_API_NOT_ACCEPTABLE', `the report is available as ${REPORT_FORMATS.map((f) => REPORT_MEDIA_TYPES[f]).join(', ')}; the Accept header asks for none of them`);
}
