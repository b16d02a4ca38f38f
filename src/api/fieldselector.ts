// Field selectors as upstream's apimachinery `fields` package: `a=b`, `a==b` and `a!=b` terms joined
// by commas, with `\\`, `\,` and `\=` escapes in values. Unlike label selectors nothing is trimmed or
// validated here; which fields a resource supports is checked by checkFieldsAllowed.
import { badRequest } from './errors.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is parsed as `=`. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** A field missing from `fields` counts as the empty string, as upstream's fields.Set does. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  empty(): boolean;
  toString(): string;
  /** The one value `field` must have, when the selector pins it (for index lookups). */
  requiresExactMatch(field: string): string | undefined;
}

/** Splits on commas not escaped by a backslash, keeping escapes for unescapeValue. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    if (selector[i] === '\\') i++;
    else if (selector[i] === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The term split at its first operator. Upstream does not honour escapes here: `a\=b=c` splits at `\=`. */
function splitTerm(term: string): { field: string; operator: string; rawValue: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const operator = ['!=', '==', '='].find((op) => term.startsWith(op, i));
    if (operator) return { field: term.slice(0, i), operator, rawValue: term.slice(i + operator.length) };
  }
  return undefined;
}

function unescapeValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const escaped = raw[++i];
      if (escaped === undefined) throw badRequest('invalid field selector: invalid escape sequence: \\');
      if (!'\\,='.includes(escaped)) throw badRequest(`invalid field selector: invalid escape sequence: \\${escaped}`);
      out += escaped;
    } else if (c === '=') {
      // Upstream prints the offending rune as its code point (`61` for '=').
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  return out;
}

const escapeValue = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`);

/** Parses a field selector; the empty string selects everything. Errors are 400 BadRequest. */
export function parseFieldSelector(selector: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  // Upstream sorts the raw terms, which fixes both the requirement order and which error is reported.
  for (const term of splitTerms(selector).sort()) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const value = unescapeValue(parts.rawValue);
    // A bare `=` (no field, no value) selects everything upstream, so it adds nothing.
    if (parts.field === '' && value === '') continue;
    requirements.push({ field: parts.field, operator: parts.operator === '!=' ? '!=' : '=', value });
  }
  return {
    requirements,
    matches: (fields) => requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '=')),
    empty: () => requirements.length === 0,
    toString: () => requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(','),
    requiresExactMatch: (field) => requirements.find((r) => r.field === field && r.operator === '=')?.value,
  };
}

const METADATA_FIELDS = ['metadata.name', 'metadata.namespace'];

/**
 * Rejects a field the resource cannot select on (400 BadRequest), in the words of upstream's field
 * label conversion: a kind with its own conversion (anything beyond the metadata fields) says
 * `field label not supported: X`; the rest fall back to the generic metadata-only conversion.
 */
export function checkFieldsAllowed(sel: FieldSelector, allowed: readonly string[]): void {
  const generic = allowed.every((f) => METADATA_FIELDS.includes(f));
  for (const { field } of sel.requirements) {
    if (allowed.includes(field)) continue;
    throw badRequest(generic
      ? `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`
      : `field label not supported: ${field}`);
  }
}
