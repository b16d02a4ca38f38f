// Label selectors as upstream's apimachinery `labels` package parses and matches them: the string
// form used by `kubectl get -l` and `?labelSelector=`, and the LabelSelector object form.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export interface Selector {
  readonly requirements: readonly Requirement[];
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  empty(): boolean;
  toString(): string;
}

function matchesRequirement(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=': case '==': case 'in': return has && r.values.includes(value);
    case '!=': case 'notin': return !has || !r.values.includes(value);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || !/^-?\d+$/.test(value)) return false;
      const n = Number(value);
      return r.operator === 'gt' ? n > Number(r.values[0]) : n < Number(r.values[0]);
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists': return r.key;
    case '!': return `!${r.key}`;
    case 'in': case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0]}`;
    case 'lt': return `${r.key}<${r.values[0]}`;
    default: return `${r.key}${r.operator}${r.values[0]}`;
  }
}

function makeSelector(requirements: Requirement[]): Selector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    matches: (labels) => sorted.every((r) => matchesRequirement(r, labels ?? {})),
    empty: () => sorted.length === 0,
    toString: () => sorted.map(requirementString).join(','),
  };
}

export const everything = (): Selector => makeSelector([]);

/** Checks a requirement the way upstream's NewRequirement does; returns the error message or undefined. */
function requirementError(r: Requirement): string | undefined {
  const keyErrs = isQualifiedName(r.key);
  if (keyErrs.length) return `key: Invalid value: ${JSON.stringify(r.key)}: ${keyErrs.join('; ')}`;
  if ((r.operator === 'in' || r.operator === 'notin') && r.values.length === 0) return "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty";
  if ((r.operator === '=' || r.operator === '==' || r.operator === '!=') && r.values.length !== 1) return 'values: Invalid value: exact-match compatibility requires one single value';
  if (r.operator === 'gt' || r.operator === 'lt') {
    if (r.values.length !== 1 || !/^-?\d+$/.test(r.values[0])) return `values[0]: Invalid value: ${JSON.stringify(r.values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`;
    return undefined;
  }
  for (const [i, v] of r.values.entries()) {
    const errs = isValidLabelValue(v);
    if (errs.length) return `values[${i}][${r.key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`;
  }
  return undefined;
}

// ---------- the string form ----------

type Token = { kind: 'id' | 'op' | '(' | ')' | ',' | '!' | 'end'; text: string };

const SPECIAL = new Set(['!', '=', '>', '<', '(', ')', ',']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { tokens.push({ kind: c, text: c }); i++; continue; }
    if (c === '!' && input[i + 1] === '=') { tokens.push({ kind: 'op', text: '!=' }); i += 2; continue; }
    if (c === '!') { tokens.push({ kind: '!', text: '!' }); i++; continue; }
    if (c === '=' && input[i + 1] === '=') { tokens.push({ kind: 'op', text: '==' }); i += 2; continue; }
    if (c === '=' || c === '>' || c === '<') { tokens.push({ kind: 'op', text: c }); i++; continue; }
    let j = i;
    while (j < input.length && !/\s/.test(input[j]) && !SPECIAL.has(input[j])) j++;
    const word = input.slice(i, j);
    tokens.push({ kind: word === 'in' || word === 'notin' ? 'op' : 'id', text: word });
    i = j;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[], private readonly input: string) {}

  private fail(message: string): never {
    throw badRequest(`unable to parse requirement: ${message}`);
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    if (this.peek().kind === 'end') return reqs;
    for (;;) {
      reqs.push(this.requirement());
      const t = this.next();
      if (t.kind === 'end') return reqs;
      if (t.kind !== ',') this.fail(`found '${t.text}', expected: ',' or 'end of string'`);
      if (this.peek().kind === 'end') this.fail(`found '', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    if (t.kind === '!') {
      t = this.next();
      if (t.kind !== 'id') this.fail(`found '${t.text}', expected: identifier`);
      return this.checked({ key: t.text, operator: '!', values: [] });
    }
    if (t.kind !== 'id') this.fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    const key = t.text;
    const after = this.peek();
    if (after.kind === 'end' || after.kind === ',') return this.checked({ key, operator: 'exists', values: [] });
    if (after.kind !== 'op') this.fail(`found '${after.text}', expected: in, notin, =, ==, !=, gt, lt`);
    this.next();
    const op = after.text;
    if (op === 'in' || op === 'notin') return this.checked({ key, operator: op, values: this.valueSet() });
    const v = this.peek();
    let value = '';
    if (v.kind === 'id') { value = v.text; this.next(); } else if (v.kind !== 'end' && v.kind !== ',') this.fail(`found '${v.text}', expected: identifier`);
    const operator: Operator = op === '>' ? 'gt' : op === '<' ? 'lt' : (op as Operator);
    return this.checked({ key, operator, values: [value] });
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(`found '${open.text}', expected: '('`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === ')') return values;
      if (t.kind === 'id') {
        values.push(t.text);
        const sep = this.next();
        if (sep.kind === ')') return values;
        if (sep.kind !== ',') this.fail(`found '${sep.text}', expected: ',' or ')'`);
        if (this.peek().kind === ')') values.push('');
      } else if (t.kind === ',') {
        values.push('');
      } else {
        this.fail(`found '${t.text}', expected: ',', ')' or identifier`);
      }
    }
  }

  private checked(r: Requirement): Requirement {
    const err = requirementError(r);
    if (err) this.fail(err);
    return r;
  }
}

/** Parses the string form; an empty string selects everything. Throws a 400 BadRequest ApiError. */
export function parseSelector(input: string): Selector {
  return makeSelector(new Parser(lex(input), input).parse());
}

// ---------- the object form ----------

/** A LabelSelector object (matchLabels + matchExpressions), as workload controllers use. */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return makeSelector([]);
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of ls.matchExpressions ?? []) {
    const ops: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    const operator = ops[e.operator];
    if (!operator) throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    const values = [...(e.values ?? [])];
    if ((operator === 'exists' || operator === '!') && values.length) throw new Error(`values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
    reqs.push({ key: e.key, operator, values });
  }
  for (const r of reqs) {
    const err = requirementError(r);
    if (err) throw new Error(err);
  }
  return makeSelector(reqs);
}
