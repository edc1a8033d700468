/**
 * An evaluator for the subset of CloudWatch Logs JSON filter-pattern syntax this package uses,
 * so metric-filter and subscription-filter patterns can be tested offline against real log lines.
 * Pure: no CDK, no AWS SDK.
 *
 * Supported (following "Filter pattern syntax for metric filters, subscription filters, and filter
 * log events" → "Using filter patterns to match terms in JSON log events" in the CloudWatch Logs guide):
 * - the whole pattern in braces: `{ <expression> }`; an event that is not a JSON object never matches;
 * - property selectors: `$.a`, `$.a.b`, `$.a[0]`, `$.a[0][1].b`;
 * - string comparisons `=` and `!=` against a quoted (`"x"`) or unquoted (`x`) value, with `*` as a
 *   wildcard that matches any run of characters (`"Update*"`, `123.123.*`, `"*"`); a string comparison
 *   only looks at JSON string values;
 * - numeric comparisons `=`, `!=`, `<`, `<=`, `>`, `>=` against a number (`500`, `-1`, `1.5`, `1e3`);
 *   they only look at JSON number values;
 * - `IS TRUE`, `IS FALSE`, `IS NULL`, `EXISTS`, `NOT EXISTS`;
 * - `&&` and `||` with parentheses; `&&` binds tighter than `||`.
 *
 * Choices where the guide is silent: a comparison on a property that does not exist is false for
 * every operator, `!=` included (use `NOT EXISTS` to match absence); a comparison on an object or
 * array value is false. Not supported (rejected with an error naming the construct): regular
 * expressions (`%…%`), term and space-delimited patterns, `$.*` wildcard selectors.
 */

/** A parsed JSON filter pattern. */
export type FilterExpression =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | {
      readonly kind: 'compare';
      readonly selector: readonly (string | number)[];
      readonly op: FilterComparisonOperator;
      readonly value: string | number;
      readonly valueKind: 'string' | 'number';
    }
  | {
      readonly kind: 'postfix';
      readonly selector: readonly (string | number)[];
      readonly test: 'IS TRUE' | 'IS FALSE' | 'IS NULL' | 'EXISTS' | 'NOT EXISTS';
    };

/** Comparison operators of JSON filter patterns. */
export type FilterComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

type Token =
  | { t: 'lbrace' | 'rbrace' | 'lparen' | 'rparen' | 'and' | 'or'; pos: number }
  | { t: 'op'; v: FilterComparisonOperator; pos: number }
  | { t: 'selector'; v: (string | number)[]; raw: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'word'; v: string; pos: number };

/** Thrown for patterns outside the supported subset or with a syntax error. */
export class FilterPatternError extends Error {
  constructor(pattern: string, detail: string) {
    super(`filter pattern ${JSON.stringify(pattern)}: ${detail}`);
    this.name = 'FilterPatternError';
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (detail: string): never => {
    throw new FilterPatternError(pattern, `${detail} at offset ${i}`);
  };
  while (i < pattern.length) {
    const c = pattern[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '{') {
      tokens.push({ t: 'lbrace', pos });
      i++;
      continue;
    }
    if (c === '}') {
      tokens.push({ t: 'rbrace', pos });
      i++;
      continue;
    }
    if (c === '(') {
      tokens.push({ t: 'lparen', pos });
      i++;
      continue;
    }
    if (c === ')') {
      tokens.push({ t: 'rparen', pos });
      i++;
      continue;
    }
    if (pattern.startsWith('&&', i)) {
      tokens.push({ t: 'and', pos });
      i += 2;
      continue;
    }
    if (pattern.startsWith('||', i)) {
      tokens.push({ t: 'or', pos });
      i += 2;
      continue;
    }
    const op = ['!=', '<=', '>=', '=', '<', '>'].find((o) => pattern.startsWith(o, i)) as
      FilterComparisonOperator | undefined;
    if (op) {
      tokens.push({ t: 'op', v: op, pos });
      i += op.length;
      continue;
    }
    if (c === '%') fail('regular expressions (%…%) are not supported by this evaluator');
    if (c === '"') {
      let s = '';
      i++;
      while (i < pattern.length && pattern[i] !== '"') {
        if (pattern[i] === '\\' && i + 1 < pattern.length) {
          s += pattern[i + 1];
          i += 2;
          continue;
        }
        s += pattern[i++];
      }
      if (i >= pattern.length) fail('unterminated string');
      i++;
      tokens.push({ t: 'string', v: s, pos });
      continue;
    }
    if (c === '$') {
      if (pattern[i + 1] !== '.') fail('a property selector starts with "$."');
      i += 2;
      const path: (string | number)[] = [];
      let name = '';
      const flush = (): void => {
        if (name) {
          path.push(name);
          name = '';
        }
      };
      while (i < pattern.length && /[A-Za-z0-9_\-.[\]@:]/.test(pattern[i])) {
        const ch = pattern[i];
        if (ch === '.') {
          flush();
          i++;
          continue;
        }
        if (ch === '[') {
          flush();
          const close = pattern.indexOf(']', i);
          const index = close < 0 ? '' : pattern.slice(i + 1, close);
          if (!/^\d+$/.test(index)) fail('array index must be a non-negative integer');
          path.push(Number(index));
          i = close + 1;
          continue;
        }
        if (ch === ']') fail('unexpected "]"');
        name += ch;
        i++;
      }
      flush();
      if (path.length === 0) fail('empty property selector');
      if (path.some((p) => p === '*')) fail('wildcard selectors are not supported');
      tokens.push({ t: 'selector', v: path, raw: pattern.slice(pos, i), pos });
      continue;
    }
    // Unquoted value or keyword (IS, TRUE, FALSE, NULL, NOT, EXISTS).
    let w = '';
    while (i < pattern.length && !/[\s{}()&|=!<>"]/.test(pattern[i])) w += pattern[i++];
    if (!w) fail(`unexpected character ${JSON.stringify(c)}`);
    tokens.push({ t: 'word', v: w, pos });
  }
  return tokens;
}

/** Parses a JSON filter pattern such as `{ $.log_type = "audit" }`. */
export function parseFilterPattern(pattern: string): FilterExpression {
  const tokens = tokenize(pattern);
  let k = 0;
  const fail = (detail: string): never => {
    throw new FilterPatternError(pattern, detail);
  };
  const peek = (): Token | undefined => tokens[k];
  const expect = (t: Token['t']): Token => {
    const tok = tokens[k];
    if (!tok || tok.t !== t) fail(`expected ${t} but found ${tok ? tok.t : 'end of pattern'}`);
    k++;
    return tok;
  };

  function parseOr(): FilterExpression {
    let left = parseAnd();
    while (peek()?.t === 'or') {
      k++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterExpression {
    let left = parsePrimary();
    while (peek()?.t === 'and') {
      k++;
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  }
  function word(): string | undefined {
    const tok = peek();
    return tok?.t === 'word' ? tok.v.toUpperCase() : undefined;
  }
  function parsePrimary(): FilterExpression {
    const tok = peek();
    if (!tok) return fail('unexpected end of pattern');
    if (tok.t === 'lparen') {
      k++;
      const inner = parseOr();
      expect('rparen');
      return inner;
    }
    if (tok.t !== 'selector') return fail(`expected a property selector ($.…) but found ${tok.t}`);
    k++;
    const selector = tok.v;
    if (word() === 'IS') {
      k++;
      const what = word();
      if (what !== 'TRUE' && what !== 'FALSE' && what !== 'NULL') fail('IS must be followed by TRUE, FALSE or NULL');
      k++;
      return { kind: 'postfix', selector, test: `IS ${what}` as 'IS TRUE' | 'IS FALSE' | 'IS NULL' };
    }
    if (word() === 'EXISTS') {
      k++;
      return { kind: 'postfix', selector, test: 'EXISTS' };
    }
    if (word() === 'NOT') {
      k++;
      if (word() !== 'EXISTS') fail('NOT must be followed by EXISTS');
      k++;
      return { kind: 'postfix', selector, test: 'NOT EXISTS' };
    }
    const opTok = expect('op') as Extract<Token, { t: 'op' }>;
    const valueTok = peek();
    if (!valueTok || (valueTok.t !== 'string' && valueTok.t !== 'word'))
      return fail(`expected a value after ${tok.raw} ${opTok.v}`);
    k++;
    const raw = valueTok.v;
    if (valueTok.t === 'word' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw)) {
      return { kind: 'compare', selector, op: opTok.v, value: Number(raw), valueKind: 'number' };
    }
    if (opTok.v !== '=' && opTok.v !== '!=') fail(`${opTok.v} needs a numeric value, got ${JSON.stringify(raw)}`);
    return { kind: 'compare', selector, op: opTok.v, value: raw, valueKind: 'string' };
  }

  expect('lbrace');
  const expr = parseOr();
  expect('rbrace');
  if (k !== tokens.length) fail('unexpected text after the closing brace');
  return expr;
}

const MISSING = Symbol('missing');

function select(doc: unknown, selector: readonly (string | number)[]): unknown {
  let cur: unknown = doc;
  for (const part of selector) {
    if (typeof part === 'number') {
      if (!Array.isArray(cur) || part >= cur.length) return MISSING;
      cur = cur[part];
    } else {
      if (
        cur === null ||
        typeof cur !== 'object' ||
        Array.isArray(cur) ||
        !Object.prototype.hasOwnProperty.call(cur, part)
      )
        return MISSING;
      cur = (cur as Record<string, unknown>)[part];
    }
  }
  return cur;
}

function wildcardMatch(value: string, pattern: string): boolean {
  if (!pattern.includes('*')) return value === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]*')}$`,
  );
  return re.test(value);
}

function evaluate(expr: FilterExpression, doc: unknown): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, doc) && evaluate(expr.right, doc);
    case 'or':
      return evaluate(expr.left, doc) || evaluate(expr.right, doc);
    case 'postfix': {
      const v = select(doc, expr.selector);
      switch (expr.test) {
        case 'EXISTS':
          return v !== MISSING;
        case 'NOT EXISTS':
          return v === MISSING;
        case 'IS NULL':
          return v === null;
        case 'IS TRUE':
          return v === true;
        case 'IS FALSE':
          return v === false;
      }
      return false;
    }
    case 'compare': {
      const v = select(doc, expr.selector);
      if (expr.valueKind === 'number') {
        if (typeof v !== 'number') return false;
        const n = expr.value as number;
        switch (expr.op) {
          case '=':
            return v === n;
          case '!=':
            return v !== n;
          case '<':
            return v < n;
          case '<=':
            return v <= n;
          case '>':
            return v > n;
          case '>=':
            return v >= n;
        }
      }
      if (typeof v !== 'string') return false;
      const eq = wildcardMatch(v, expr.value as string);
      return expr.op === '=' ? eq : !eq;
    }
  }
}

/**
 * Whether a CloudWatch Logs event (its message text) matches a JSON filter pattern.
 * Accepts a pattern string or an already-parsed expression (parse once, match many).
 */
export function matchesFilterPattern(pattern: string | FilterExpression, message: string): boolean {
  const expr = typeof pattern === 'string' ? parseFilterPattern(pattern) : pattern;
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  return evaluate(expr, doc);
}

/**
 * The value a metric filter publishes for a matching event: a literal number (`"1"`), or a
 * `$.selector` whose value must be a JSON number (or numeric string) – otherwise undefined
 * (CloudWatch publishes nothing for that event).
 */
export function metricValueFor(metricValue: string, message: string): number | undefined {
  if (!metricValue.startsWith('$.')) {
    const n = Number(metricValue);
    return Number.isFinite(n) ? n : undefined;
  }
  const expr = parseFilterPattern(`{ ${metricValue} EXISTS }`);
  if (expr.kind !== 'postfix') return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    return undefined;
  }
  const v = select(doc, expr.selector);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/**
 * The dimension values a metric filter publishes for a matching event: each `$.selector` resolved
 * to a string; undefined when one is missing or not a scalar (the event publishes no datapoint).
 */
export function dimensionValuesFor(
  dimensions: Readonly<Record<string, string>>,
  message: string,
): Record<string, string> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, sel] of Object.entries(dimensions)) {
    const expr = parseFilterPattern(`{ ${sel} EXISTS }`);
    if (expr.kind !== 'postfix') return undefined;
    const v = select(doc, expr.selector);
    if (typeof v === 'string' && v !== '') out[name] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[name] = String(v);
    else return undefined;
  }
  return out;
}
