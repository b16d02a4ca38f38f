// Label selectors as upstream's apimachinery `labels` package parses, prints and matches them: the
// string form of `kubectl get -l` and `?labelSelector=`, and the LabelSelector object form of
// workload specs. Error messages are upstream's, since kubectl shows them verbatim.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest, fieldErrorString, invalid, type FieldError } from './errors.js';
import { goStringSlice, isQualifiedName, isValidLabelValue } from './validation.js';

/** Upstream's selection.Operator values; `!` is DoesNotExist, `gt`/`lt` are written `>`/`<`. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface Selector {
  /** Sorted by key, as upstream keeps them. */
  readonly requirements: readonly Requirement[];
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True when the selector selects everything. */
  empty(): boolean;
  toString(): string;
  /** The one value `key` must have, when the selector pins it (for index lookups). */
  requiresExactMatch(key: string): string | undefined;
}

// ---------- requirements ----------

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case '=': case '==': case 'in': return has && r.values.includes(labels[r.key]);
    case '!=': case 'notin': return !has || !r.values.includes(labels[r.key]);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      const actual = has ? parseInt64(labels[r.key]) : undefined;
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  // Upstream prints set values sorted, whatever order they were given in.
  const values = [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists': return r.key;
    case '!': return `!${r.key}`;
    case 'in': case 'notin': return `${r.key} ${r.operator} (${values})`;
    case 'gt': return `${r.key}>${values}`;
    case 'lt': return `${r.key}<${values}`;
    default: return `${r.key}${r.operator}${values}`;
  }
}

/** Upstream's NewRequirement checks, as field errors relative to the requirement. */
function requirementErrors(key: string, operator: Operator, values: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalid('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in': case 'notin':
      if (!values.length) errs.push(invalid('values', goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalid('values', goStringSlice(values), 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length) errs.push(invalid('values', goStringSlice(values), 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalid('values', goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs;
}

/** Upstream's aggregate error text: one message as is, several de-duplicated in brackets. */
function aggregate(errs: FieldError[]): string {
  const messages = [...new Set(errs.map(fieldErrorString))];
  return messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
}

function selectorOf(requirements: Requirement[]): Selector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    empty: () => sorted.length === 0,
    toString: () => sorted.map(requirementString).join(','),
    requiresExactMatch(key) {
      // Like upstream, only the first requirement on the key counts.
      const r = sorted.find((q) => q.key === key);
      return r && (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1 ? r.values[0] : undefined;
    },
  };
}

/** What an absent LabelSelector means upstream: select nothing (not everything). */
const NOTHING: Selector = {
  requirements: [],
  matches: () => false,
  empty: () => false,
  toString: () => '',
  requiresExactMatch: () => undefined,
};

// ---------- the string form ----------

type TokenKind = 'id' | 'end' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';

interface Token {
  kind: TokenKind;
  text: string;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (WHITESPACE.has(input[i])) i++;
    if (i >= input.length) {
      tokens.push({ kind: 'end', text: '' });
      return tokens;
    }
    let j = i + 1;
    if (SPECIAL.has(input[i])) {
      if ((input[i] === '!' || input[i] === '=') && input[j] === '=') j++; // `!=` and `==` are the only two-character symbols
    } else {
      while (j < input.length && !SPECIAL.has(input[j]) && !WHITESPACE.has(input[j])) j++;
    }
    const text = input.slice(i, j);
    const kind = SPECIAL.has(text[0]) || text === 'in' || text === 'notin' ? (text as TokenKind) : 'id';
    tokens.push({ kind, text });
    i = j;
  }
}

// Where a value or key is expected, the keywords `in`/`notin` are plain identifiers (`in in (in)`).
const isIdentifier = (t: Token): boolean => t.kind === 'id' || t.kind === 'in' || t.kind === 'notin';

const BINARY_OPERATORS = new Map<TokenKind, Operator>([
  ['in', 'in'], ['notin', 'notin'], ['=', '='], ['==', '=='], ['!=', '!='], ['>', 'gt'], ['<', 'lt'],
]);

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  /** A problem inside one requirement; upstream prefixes only these. */
  private fail(message: string): never {
    throw badRequest(`unable to parse requirement: ${message}`);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    const first = this.peek();
    if (first.kind === 'end') return reqs;
    if (!isIdentifier(first) && first.kind !== '!') throw badRequest(`found '${first.text}', expected: !, identifier, or 'end of string'`);
    for (;;) {
      reqs.push(this.requirement());
      const sep = this.next();
      if (sep.kind === 'end') return reqs;
      if (sep.kind !== ',') throw badRequest(`found '${sep.text}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (!isIdentifier(after) && after.kind !== '!') throw badRequest(`found '${after.text}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    const negated = t.kind === '!';
    if (negated) t = this.next();
    if (!isIdentifier(t)) this.fail(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrs = isQualifiedName(key);
    // Upstream checks the key against a nil field path, hence the `<nil>`.
    if (keyErrs.length) this.fail(fieldErrorString(invalid('<nil>', key, keyErrs.join('; '))));
    if (negated) return this.checked(key, '!', []);
    const after = this.peek();
    if (after.kind === 'end' || after.kind === ',') return this.checked(key, 'exists', []);
    const operator = this.operator();
    return this.checked(key, operator, operator === 'in' || operator === 'notin' ? this.valueSet() : [this.exactValue()]);
  }

  private operator(): Operator {
    const t = this.next();
    const op = BINARY_OPERATORS.get(t.kind);
    if (!op) this.fail(`found '${t.text}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  }

  /** `(v1,v2,…)`: each value may be empty (`()`, `(a,)`); the result is a sorted set, as upstream's. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(`found '${open.text}' expected: '('`);
    const values = new Set<string>();
    for (let first = true; ; first = false) {
      const t = this.peek();
      if (isIdentifier(t)) values.add(this.next().text);
      else if (t.kind === ',' || t.kind === ')') values.add('');
      else this.fail(first ? `found '${t.text}', expected: ',', ')' or identifier` : `found '${t.text}', expected: ',', or identifier`);
      const sep = this.next();
      if (sep.kind === ')') return [...values].sort();
      if (sep.kind !== ',') this.fail(`found '${sep.text}', expected: ',' or ')'`);
    }
  }

  /** The value after `=`, `==`, `!=`, `>` or `<`; a missing one is the empty string. */
  private exactValue(): string {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return '';
    this.next();
    if (!isIdentifier(t)) this.fail(`found '${t.text}', expected: identifier`);
    return t.text;
  }

  private checked(key: string, operator: Operator, values: string[]): Requirement {
    const errs = requirementErrors(key, operator, values);
    if (errs.length) this.fail(aggregate(errs));
    return { key, operator, values };
  }
}

/** Parses the string form; the empty string selects everything. Errors are 400 BadRequest. */
export function parseSelector(input: string): Selector {
  return selectorOf(new Parser(lex(input)).parse());
}

// ---------- the object form ----------

const SELECTOR_OPERATORS = new Map<string, Operator>([['In', 'in'], ['NotIn', 'notin'], ['Exists', 'exists'], ['DoesNotExist', '!']]);

function checkedRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length) throw new Error(aggregate(errs));
  return { key, operator, values };
}

/**
 * A LabelSelector object (matchLabels AND matchExpressions), as upstream's LabelSelectorAsSelector:
 * an absent selector selects nothing, an empty one everything. Throws an Error on an invalid one.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (!ls) return NOTHING;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push(checkedRequirement(key, '=', [value]));
  for (const expr of ls.matchExpressions ?? []) {
    const operator = SELECTOR_OPERATORS.get(expr.operator);
    if (!operator) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push(checkedRequirement(expr.key, operator, [...(expr.values ?? [])]));
  }
  return selectorOf(reqs);
}
