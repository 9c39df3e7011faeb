/** Markup built by `html`: its text is already escaped and is inserted as it is. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolated = Markup | string | number | boolean | null | undefined | readonly Interpolated[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value (double- or single-quoted): the five characters that can end either are replaced. */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

function render(value: Interpolated): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return (value as readonly Interpolated[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template tag for HTML and SVG: every interpolated string is escaped unless it is Markup
 * made by this tag, so a registry name (user input) can never become markup. Arrays are
 * joined; null, undefined and false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Markup {
  let out = strings[0]!;
  for (const [i, value] of values.entries()) out += render(value) + strings[i + 1]!;
  return new Markup(out);
}
