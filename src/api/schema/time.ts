// Validates timestamps as upstream's Time (RFC 3339) and MicroTime (RFC 3339, 6 fractional digits)
// decoders do, returning Go's time.Parse error message.

/** Layout elements of Go's RFC3339 layout, with what each accepts. */
type Element = { layout: string; digits?: number; min?: number; max?: number; field?: string; literal?: string; fraction?: number; zone?: boolean };

const DATE_TIME: Element[] = [
  { layout: '2006', digits: 4 },
  { layout: '-', literal: '-' },
  { layout: '01', digits: 2, min: 1, max: 12, field: 'month' },
  { layout: '-', literal: '-' },
  { layout: '02', digits: 2, field: 'day' }, // checked against the month once parsed, as Go does
  { layout: 'T', literal: 'T' },
  { layout: '15', digits: 2, min: 0, max: 23, field: 'hour' },
  { layout: ':', literal: ':' },
  { layout: '04', digits: 2, min: 0, max: 59, field: 'minute' },
  { layout: ':', literal: ':' },
  { layout: '05', digits: 2, min: 0, max: 59, field: 'second' },
];
const RFC3339: Element[] = [...DATE_TIME, { layout: 'Z07:00', zone: true }];
const RFC3339_MICRO: Element[] = [...DATE_TIME, { layout: '.000000', fraction: 6 }, { layout: 'Z07:00', zone: true }];

const quote = (s: string): string => JSON.stringify(s);
const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function parseError(elements: Element[], value: string): string | undefined {
  const layout = elements.map((e) => e.layout).join('');
  const cannot = (rest: string, e: Element) => `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(e.layout)}`;
  let rest = value;
  const fields: Record<string, number> = {};
  for (const e of elements) {
    if (e.literal !== undefined) {
      if (!rest.startsWith(e.literal)) return cannot(rest, e);
      rest = rest.slice(e.literal.length);
    } else if (e.digits) {
      const part = rest.slice(0, e.digits);
      if (part.length < e.digits || !isDigits(part)) return cannot(rest, e);
      const n = Number(part);
      if (e.min !== undefined && (n < e.min || n > e.max!)) return `parsing time ${quote(value)}: ${e.field} out of range`;
      if (e.field) fields[e.field] = n;
      rest = rest.slice(e.digits);
      // Go accepts fractional seconds after "05" when the layout has none.
      if (e.layout === '05' && elements[elements.indexOf(e) + 1]?.fraction === undefined) {
        const frac = /^[.,][0-9]+/.exec(rest);
        if (frac) rest = rest.slice(frac[0].length);
      }
    } else if (e.fraction) {
      const part = rest.slice(0, e.fraction + 1);
      if (part.length < e.fraction + 1 || !/^[.,]/.test(part) || !isDigits(part.slice(1))) return cannot(rest, e);
      rest = rest.slice(e.fraction + 1);
    } else if (e.zone) {
      if (rest.startsWith('Z')) rest = rest.slice(1);
      else if (/^[+-][0-9]{2}:[0-9]{2}/.test(rest)) rest = rest.slice(6);
      else return cannot(rest, e);
    }
  }
  if (rest) return `parsing time ${quote(value)}: extra text: ${quote(rest)}`;
  const year = Number(value.slice(0, 4));
  const daysInMonth = new Date(Date.UTC(year, fields.month, 0)).getUTCDate();
  if (fields.day < 1 || fields.day > daysInMonth) return `parsing time ${quote(value)}: day out of range`;
  return undefined;
}

/** The decoder's error for a Time string, or undefined when it is valid RFC 3339. */
export const timeError = (value: string): string | undefined => parseError(RFC3339, value);

/** The decoder's error for a MicroTime string (fraction of exactly six digits). */
export const microTimeError = (value: string): string | undefined => parseError(RFC3339_MICRO, value);
