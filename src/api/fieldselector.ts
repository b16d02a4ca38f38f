// Field selectors as upstream's apimachinery `fields` package: `a=b`, `a==b`, `a!=b`, joined by
// commas, with backslash escapes for `,`, `=`, `!` and `\` inside values.
import { badRequest } from './errors.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(fields: Readonly<Record<string, string>>): boolean;
  empty(): boolean;
}

/** Splits on `sep` where it is not escaped by a backslash. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) { cur += s[i] + s[i + 1]; i++; continue; }
    if (s[i] === sep) { parts.push(cur); cur = ''; continue; }
    cur += s[i];
  }
  parts.push(cur);
  return parts;
}

function unescape(v: string, whole: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== '\\') { out += v[i]; continue; }
    const n = v[++i];
    if (n === undefined || !'\\,=!'.includes(n)) throw badRequest(`invalid field selector: ${JSON.stringify(whole)}: invalid escape sequence`);
    out += n;
  }
  return out;
}

/** The first unescaped operator in `term`: `!=`, `==` or `=`. */
function findOperator(term: string): { at: number; op: '!=' | '==' | '=' } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') { i++; continue; }
    if (term.startsWith('!=', i)) return { at: i, op: '!=' };
    if (term.startsWith('==', i)) return { at: i, op: '==' };
    if (term[i] === '=') return { at: i, op: '=' };
  }
  return undefined;
}

export function parseFieldSelector(input: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (input.trim()) {
    for (const term of splitUnescaped(input, ',')) {
      const found = findOperator(term);
      if (!found) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
      const field = term.slice(0, found.at).trim();
      if (!field) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
      const value = unescape(term.slice(found.at + found.op.length), input);
      requirements.push({ field, operator: found.op === '!=' ? '!=' : '=', value });
    }
  }
  return {
    requirements,
    matches: (fields) => requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '=')),
    empty: () => requirements.length === 0,
  };
}
